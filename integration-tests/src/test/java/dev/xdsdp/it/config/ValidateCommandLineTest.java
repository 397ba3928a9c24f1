package dev.xdsdp.it.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The command line around {@code --mode validate}: bad flags, where the config comes from
 * ({@code -c}, {@code --config-path=}, {@code --config-yaml} alone or merged over a file) and
 * the loader options that change what is accepted.
 */
class ValidateCommandLineTest {

  private static final String HELP_HINT = "For complete USAGE and HELP type: dataplane --help";

  /** A listener whose route names cluster "no_such_cluster", which the file itself does not define. */
  private static final Path NEEDS_CLUSTER = Corpus.root().resolve("invalid/route-unknown-cluster.yaml");

  private static final String LATE_CLUSTER = """
      static_resources:
        clusters:
        - name: no_such_cluster
          connect_timeout: 1s
          load_assignment:
            cluster_name: no_such_cluster
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 9000 } } }
      """;

  @Test
  void unknownFlagIsRejectedWithASuggestion() {
    Validation.Result r = Validation.run("--mode", "validate", "--config-yaml", "static_resources: {}", "--mod", "x");
    assertEquals(1, r.exit());
    assertEquals(List.of(), r.out());
    assertEquals(List.of("error: unknown option '--mod' (did you mean '--mode'?)", HELP_HINT), r.err());
  }

  @Test
  void unknownModeIsRejected() {
    Validation.Result r = Validation.run("--mode", "check", "--config-yaml", "static_resources: {}");
    assertEquals(1, r.exit());
    assertEquals(List.of("error: invalid value 'check' for option '--mode': expected one of serve, validate, init_only",
        HELP_HINT), r.err());
  }

  @Test
  void flagGivenTwiceIsRejected() {
    Validation.Result r = Validation.validate("--mode", "validate", "--config-yaml", "static_resources: {}");
    assertEquals(1, r.exit());
    assertEquals(List.of("error: option '--mode' given more than once", HELP_HINT), r.err());
  }

  @Test
  void configPathInEveryCommandLineSpelling() {
    Path file = Corpus.root().resolve("valid/misc/static-proxy.json");
    for (List<String> args : List.of(List.of("-c", file.toString()), List.of("--config-path", file.toString()),
        List.of("--config-path=" + file), List.of("-c=" + file))) {
      Validation.Result r = Validation.validate(args.toArray(String[]::new));
      assertEquals(List.of("configuration '" + file + "' OK"), r.out(), r::transcript);
      assertEquals(0, r.exit(), r::transcript);
    }
  }

  @Test
  void configYamlAloneIsValidated() {
    Validation.Result r = Validation.validate("--config-yaml", LATE_CLUSTER);
    assertEquals(List.of("configuration '--config-yaml' OK"), r.out(), r::transcript);
    assertEquals(List.of(), r.err());
    assertEquals(0, r.exit());
  }

  @Test
  void configYamlAloneWithAnErrorIsReported() {
    Validation.Result r = Validation.validate("--config-yaml",
        "static_resources: {clusters: [{name: sticky, connect_timeout: 1s, lb_policy: MAGLEV}]}");
    assertEquals(List.of(
        "error: cluster sticky: lb_policy: MAGLEV is not supported (supported: ROUND_ROBIN, LEAST_REQUEST, RANDOM)",
        "configuration '--config-yaml' has 1 error(s) and 0 unsupported setting(s)"), r.out());
    assertEquals(1, r.exit());
  }

  @Test
  void configYamlWithBadSyntaxNamesItsSource() {
    Validation.Result r = Validation.validate("--config-yaml", "static_resources: [");
    assertEquals(List.of(), r.out());
    // As Envoy: the configuration path is empty, the source of the problem is --config-yaml.
    assertEquals(List.of("error initializing configuration '': --config-yaml: line 1: expected the node content,"
        + " but found '<stream end>'"), r.err());
    assertEquals(1, r.exit());
  }

  @Test
  void fileAloneFailsAndConfigYamlMergedOverItSuppliesTheMissingCluster() {
    Validation.Result alone = Validation.validate("-c", NEEDS_CLUSTER.toString());
    assertEquals(1, alone.exit(), alone::transcript);

    // Repeated fields append: the file's cluster "some_cluster" and the inline one both exist.
    Validation.Result merged = Validation.validate("-c", NEEDS_CLUSTER.toString(), "--config-yaml", LATE_CLUSTER);
    assertEquals(List.of("configuration '" + NEEDS_CLUSTER + "' OK"), merged.out(), merged::transcript);
    assertEquals(0, merged.exit(), merged::transcript);
  }

  @Test
  void configYamlMergedOverAFileCanAlsoBreakIt() {
    // The inline cluster has the same name as the file's: after the merge there are two.
    Validation.Result r = Validation.validate("-c", NEEDS_CLUSTER.toString(), "--config-yaml",
        LATE_CLUSTER + "  - { name: some_cluster, connect_timeout: 1s, load_assignment: { cluster_name: some_cluster } }\n");
    assertEquals(List.of(
        "error: cluster some_cluster: cluster manager: duplicate cluster 'some_cluster'",
        "configuration '" + NEEDS_CLUSTER + "' has 1 error(s) and 0 unsupported setting(s)"), r.out(), r::transcript);
    assertEquals(1, r.exit());
  }

  @Test
  void singularFieldsOfConfigYamlReplaceTheFilesValues() {
    // Messages merge field by field: the inline admin address replaces the file's socket address,
    // and a pipe there is reported.
    Path file = Corpus.root().resolve("valid/admin/admin-address.yaml");
    Validation.Result r = Validation.validate("-c", file.toString(), "--config-yaml",
        "admin: { address: { pipe: { path: /tmp/xdsdp-envoy-configs/admin.sock } } }");
    assertEquals(List.of(
        "unsupported: bootstrap: admin.address: only socket addresses are supported for admin",
        "configuration '" + file + "' has 0 error(s) and 1 unsupported setting(s)"), r.out(), r::transcript);
  }

  @Test
  void missingFileIsReported() {
    Path missing = Corpus.SCRATCH.resolve("no-such-bootstrap.yaml");
    Validation.Result r = Validation.validate("-c", missing.toString());
    assertEquals(List.of(), r.out());
    assertEquals(List.of("error initializing configuration '" + missing + "': " + missing + ": file not found"), r.err());
    assertEquals(1, r.exit());
  }

  @Test
  void noConfigAtAllIsReported() {
    Validation.Result r = Validation.validate();
    assertEquals(List.of("error initializing configuration '': At least one of --config-path or --config-yaml or"
        + " Options::configProto() should be non-empty"), r.err());
    assertEquals(1, r.exit());
  }

  @Test
  void allowUnknownStaticFieldsAcceptsAMisspeltField() {
    Path typo = Corpus.root().resolve("invalid/unknown-field.yaml");
    assertEquals(1, Validation.validate("-c", typo.toString()).exit());
    Validation.Result r = Validation.validate("--allow-unknown-static-fields", "-c", typo.toString());
    assertEquals(List.of("configuration '" + typo + "' OK"), r.out(), r::transcript);
    assertEquals(0, r.exit());
  }
}
