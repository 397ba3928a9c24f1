package dev.xdsdp.it.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code dataplane --mode validate -c <file>} over the whole bootstrap corpus: every file in
 * {@code valid/} is OK, every file in {@code invalid/} fails with exactly the lines its
 * {@code .expected} file holds, and every file in {@code unsupported/} (valid Envoy using
 * something this data plane would ignore) fails with exactly its {@code unsupported:} lines.
 */
class EnvoyConfigCorpusTest {

  @BeforeAll
  static void scratchFiles() throws IOException {
    Corpus.prepareScratch();
  }

  static Stream<Arguments> valid() {
    return Corpus.configs("valid").stream().map(p -> Arguments.of(Corpus.name(p), p));
  }

  static Stream<Arguments> invalid() {
    return Corpus.configs("invalid").stream().map(p -> Arguments.of(Corpus.name(p), p));
  }

  static Stream<Arguments> unsupported() {
    return Corpus.configs("unsupported").stream().map(p -> Arguments.of(Corpus.name(p), p));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void validConfigValidates(String name, Path config) {
    Validation.Result r = Validation.validate("-c", config.toString());
    assertEquals(List.of("configuration '" + config + "' OK"), r.out(), r::transcript);
    assertEquals(List.of(), r.err(), r::transcript);
    assertEquals(0, r.exit(), r::transcript);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidConfigFailsWithItsExpectedErrors(String name, Path config) {
    Corpus.Expected expected = Corpus.expected(config);
    Validation.Result r = Validation.validate("-c", config.toString());
    assertEquals(expected.out(), r.out(), r::transcript);
    assertEquals(expected.err(), r.err(), r::transcript);
    assertEquals(1, r.exit(), r::transcript);
    assertTrue(Stream.concat(r.out().stream(), r.err().stream()).anyMatch(l -> l.startsWith("error")),
        () -> name + " must be reported as an error:\n" + r.transcript());
    if (!r.out().isEmpty()) {
      assertOneLinePerProblem(config, r);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsupported")
  void unsupportedSettingsAreReported(String name, Path config) {
    Corpus.Expected expected = Corpus.expected(config);
    Validation.Result r = Validation.validate("-c", config.toString());
    assertEquals(expected.out(), r.out(), r::transcript);
    assertEquals(expected.err(), r.err(), r::transcript);
    assertEquals(1, r.exit(), r::transcript);
    // These are valid Envoy configs: nothing in them may be reported as an error.
    assertTrue(r.out().stream().anyMatch(l -> l.startsWith("unsupported: ")), r::transcript);
    assertTrue(r.out().stream().noneMatch(l -> l.startsWith("error")), r::transcript);
    assertOneLinePerProblem(config, r);
  }

  /** The report is one line per problem, then a summary whose counts match those lines. */
  private static void assertOneLinePerProblem(Path config, Validation.Result r) {
    long errors = r.out().stream().filter(l -> l.startsWith("error: ")).count();
    long unsupported = r.out().stream().filter(l -> l.startsWith("unsupported: ")).count();
    assertEquals(errors + unsupported + 1, r.out().size(), r::transcript);
    assertEquals("configuration '" + config + "' has " + errors + " error(s) and " + unsupported
        + " unsupported setting(s)", r.out().getLast(), r::transcript);
    // "<kind>: <resource>: <field path>: <problem>": each field is reported once.
    List<String> places = r.out().subList(0, r.out().size() - 1).stream()
        .map(l -> String.join(": ", List.of(l.split(": ", 4)).subList(0, 3)).replaceFirst("^\\w+: ", ""))
        .toList();
    assertEquals(places.stream().distinct().toList(), places, () -> "a field is reported twice\n" + r.transcript());
  }

  @Test
  void everyExpectationBelongsToAConfigAndEveryFailingConfigHasOne() throws IOException {
    List<String> problems = new ArrayList<>();
    for (String category : List.of("invalid", "unsupported")) {
      for (Path config : Corpus.configs(category)) {
        if (!Files.exists(Corpus.expectationOf(config))) {
          problems.add(Corpus.name(config) + " has no .expected file");
        }
      }
      for (Path stray : Corpus.strayFiles(category)) {
        problems.add(Corpus.name(stray) + " is neither a config nor an expectation");
      }
      try (Stream<Path> files = Files.walk(Corpus.root().resolve(category))) {
        for (Path e : files.filter(p -> p.getFileName().toString().endsWith(".expected")).toList()) {
          String base = e.getFileName().toString().replaceFirst("\\.expected$", "");
          boolean hasConfig = Stream.of(".yaml", ".yml", ".json").anyMatch(ext -> Files.exists(e.resolveSibling(base + ext)));
          if (!hasConfig) {
            problems.add(Corpus.name(e) + " has no config next to it");
          }
        }
      }
    }
    for (Path stray : Corpus.strayFiles("valid")) {
      problems.add(Corpus.name(stray) + " is not a config");
    }
    assertEquals(List.of(), problems);
    assertTrue(Corpus.configs("valid").size() >= 25, "the valid corpus shrank");
    assertTrue(Corpus.configs("invalid").size() >= 40, "the invalid corpus shrank");
    assertTrue(Corpus.configs("unsupported").size() >= 10, "the unsupported corpus shrank");
  }
}
