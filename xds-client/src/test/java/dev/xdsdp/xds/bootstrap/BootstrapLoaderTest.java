package dev.xdsdp.xds.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.google.protobuf.Duration;
import com.google.protobuf.TextFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapLoaderTest {

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  private BootstrapException loadFails(Path path) {
    return assertThrows(BootstrapException.class, () -> BootstrapLoader.load(path, null, false));
  }

  @Test
  void wrongScalarTypeNamesFileAndFieldPath() throws IOException {
    Path p =
        write(
            "envoy.yaml",
            """
            static_resources:
              listeners:
              - name: l0
                address:
                  socket_address:
                    address: 0.0.0.0
                    port_value: abc
            """);
    assertEquals(
        p + ": static_resources.listeners[0].address.socket_address.port_value: "
            + "expected an integer, got \"abc\"",
        loadFails(p).getMessage());
  }

  @Test
  void misspeltFieldGetsASuggestion() throws IOException {
    Path p =
        write(
            "envoy.yaml",
            """
            static_resources:
              clusters:
              - name: a
              - name: b
                lb_polcy: ROUND_ROBIN
            """);
    BootstrapException e = loadFails(p);
    assertEquals(
        p + ": static_resources.clusters[1].lb_polcy: unknown field (did you mean \"lb_policy\"?)",
        e.getMessage());
    assertEquals("static_resources.clusters[1].lb_polcy", e.fieldPath());
    assertEquals("unknown field (did you mean \"lb_policy\"?)", e.problem());
  }

  @Test
  void yamlSyntaxErrorNamesTheLine() throws IOException {
    Path p =
        write(
            "envoy.yaml",
            """
            admin:
              address:
                socket_address:
                  address: 127.0.0.1
                  port_value: 9901
            static_resources:
              clusters:
              - name: backend
                connect_timeout: 1s
                type: STATIC
                load_assignment:
                  cluster_name: backend: oops
            """);
    BootstrapException e = loadFails(p);
    assertEquals(p + ": line 12: mapping values are not allowed here", e.getMessage());
    assertEquals(12, e.line());
  }

  @Test
  void jsonSyntaxErrorNamesTheLine() throws IOException {
    Path p = write("envoy.json", "{\n  \"node\": {\"id\": \"a\"},\n  \"admin\" {}\n}\n");
    assertEquals(p + ": line 3: Expected ':'", loadFails(p).getMessage());
  }

  @Test
  void missingDirectoryAndEmptyFiles() throws IOException {
    Path missing = dir.resolve("nope.yaml");
    assertEquals(missing + ": file not found", loadFails(missing).getMessage());
    assertEquals(dir + ": is a directory, not a file", loadFails(dir).getMessage());
    Path empty = write("empty.yaml", "# nothing here\n");
    assertEquals(empty + ": the document is empty", loadFails(empty).getMessage());
    Path notObject = write("scalar.yaml", "just a string\n");
    assertEquals(
        notObject + ": expected an object, got \"just a string\"", loadFails(notObject).getMessage());
  }

  @Test
  void unreadableFile() throws IOException {
    Path p = write("secret.yaml", "node: {id: a}\n");
    assertTrue(p.toFile().setReadable(false));
    try {
      assumeFalse(Files.isReadable(p), "file permissions do not bind this user (root)");
      assertEquals(p + ": cannot read the file: permission denied", loadFails(p).getMessage());
    } finally {
      p.toFile().setReadable(true);
    }
  }

  @Test
  void nothingToLoadUsesEnvoysMessage() {
    BootstrapException e =
        assertThrows(BootstrapException.class, () -> BootstrapLoader.load(null, "", false));
    assertEquals(
        "At least one of --config-path or --config-yaml or Options::configProto() should be non-empty",
        e.getMessage());
  }

  @Test
  void unknownFieldsAreIgnoredWithAWarningWhenAllowed() throws Exception {
    Path p =
        write(
            "envoy.yaml",
            """
            node: {id: n1, future_field: 3}
            static_resources:
              clusters:
              - name: a
                lb_policy: SOME_FUTURE_POLICY
                connect_timeout: 2s
            """);
    LoadedBootstrap loaded = BootstrapLoader.load(p, null, true);
    assertEquals("n1", loaded.bootstrap().getNode().getId());
    Cluster c = loaded.bootstrap().getStaticResources().getClusters(0);
    assertEquals(Cluster.LbPolicy.ROUND_ROBIN, c.getLbPolicy());
    assertEquals(2, c.getConnectTimeout().getSeconds());
    assertEquals(
        List.of(
            p + ": node.future_field: unknown field of envoy.config.core.v3.Node, ignored",
            p + ": static_resources.clusters[0].lb_policy: unknown value \"SOME_FUTURE_POLICY\" of"
                + " enum envoy.config.cluster.v3.Cluster.LbPolicy, ignored"),
        loaded.warnings());
  }

  @Test
  void configYamlIsMergedOverTheFile() throws Exception {
    Path p =
        write(
            "envoy.yaml",
            """
            node: {id: from-file, cluster: file-cluster}
            static_resources:
              clusters:
              - {name: a, connect_timeout: 1s}
            stats_flush_interval: 5s
            """);
    String yaml =
        """
        node: {id: from-flag}
        static_resources:
          clusters:
          - {name: b}
        stats_flush_interval: 10s
        """;
    Bootstrap b = BootstrapLoader.load(p, yaml, false).bootstrap();
    assertEquals("from-flag", b.getNode().getId()); // singular: replaced
    assertEquals("file-cluster", b.getNode().getCluster()); // message: merged field by field
    assertEquals(2, b.getStaticResources().getClustersCount()); // repeated: appended
    assertEquals("a", b.getStaticResources().getClusters(0).getName());
    assertEquals("b", b.getStaticResources().getClusters(1).getName());
    assertEquals(Duration.newBuilder().setSeconds(10).build(), b.getStatsFlushInterval());
  }

  @Test
  void configYamlAloneAndItsErrorsAreNamedAfterTheFlag() throws Exception {
    Bootstrap b = BootstrapLoader.load(null, "{\"node\": {\"id\": \"json-in-yaml\"}}", false).bootstrap();
    assertEquals("json-in-yaml", b.getNode().getId());
    BootstrapException e =
        assertThrows(
            BootstrapException.class,
            () -> BootstrapLoader.load(null, "node: {id: a, clustr: b}", false));
    assertEquals(
        "--config-yaml: node.clustr: unknown field (did you mean \"cluster\"?)", e.getMessage());
  }

  @Test
  void binaryAndTextProtosAreReadByExtension() throws Exception {
    Bootstrap original =
        Bootstrap.newBuilder()
            .setNode(io.envoyproxy.envoy.config.core.v3.Node.newBuilder().setId("pb-node"))
            .build();
    Path pb = dir.resolve("envoy.pb");
    Files.write(pb, original.toByteArray());
    assertEquals(original, BootstrapLoader.load(pb, null, false).bootstrap());

    Path text = write("envoy.pb_text", TextFormat.printer().printToString(original));
    assertEquals(original, BootstrapLoader.load(text, null, false).bootstrap());

    Path badText = write("bad.pb_text", "node {\n  id: \"x\"\n  bogus: 1\n}\n");
    BootstrapException e = loadFails(badText);
    assertEquals(3, e.line());
    assertTrue(
        e.getMessage().startsWith(badText + ": line 3: "), e.getMessage());
    assertTrue(e.getMessage().contains("bogus"), e.getMessage());
  }

  @Test
  void binaryProtoWithUnknownFieldsIsRejectedUnlessAllowed() throws Exception {
    // Field 999 of Node does not exist: a config written for a newer Envoy.
    byte[] node =
        io.envoyproxy.envoy.config.core.v3.Node.newBuilder()
            .setId("n")
            .setUnknownFields(
                com.google.protobuf.UnknownFieldSet.newBuilder()
                    .addField(
                        999,
                        com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                    .build())
            .build()
            .toByteArray();
    byte[] bootstrap =
        Bootstrap.newBuilder()
            .setNode(io.envoyproxy.envoy.config.core.v3.Node.parseFrom(node))
            .build()
            .toByteArray();
    Path pb = dir.resolve("future.pb");
    Files.write(pb, bootstrap);
    assertEquals(
        pb + ": node: unknown field number 999 in envoy.config.core.v3.Node",
        loadFails(pb).getMessage());
    LoadedBootstrap allowed = BootstrapLoader.load(pb, null, true);
    assertEquals("n", allowed.bootstrap().getNode().getId());
    assertEquals(
        List.of(pb + ": node: unknown field number 999 in envoy.config.core.v3.Node, ignored"),
        allowed.warnings());
  }

  @Test
  void anyExtensionIsYaml() throws Exception {
    Path p = write("envoy.conf", "node: {id: conf-node}\n");
    assertEquals("conf-node", BootstrapLoader.load(p, null, false).bootstrap().getNode().getId());
  }

  @Test
  void invalidUtf8IsReported() throws IOException {
    Path p = dir.resolve("latin1.yaml");
    Files.write(p, new byte[] {'n', 'o', 'd', 'e', ':', ' ', '{', 'i', 'd', ':', ' ', (byte) 0xE9, '}'});
    assertEquals(p + ": the file is not valid UTF-8", loadFails(p).getMessage());
  }
}
