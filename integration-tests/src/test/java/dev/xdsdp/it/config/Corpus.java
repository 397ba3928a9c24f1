package dev.xdsdp.it.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The bootstrap corpus under {@code src/test/resources/envoy-configs}: {@code valid/} (must
 * validate OK), {@code invalid/} and {@code unsupported/} (each {@code foo.yaml} or
 * {@code foo.json} next to {@code foo.expected}).
 *
 * <p>An {@code .expected} file holds the exact lines validation prints, under a {@code [stdout]}
 * and/or a {@code [stderr]} header; a stream without a header must stay empty. {@code ${config}}
 * stands for the config path as given on the command line.
 */
final class Corpus {

  /** Files that files in the corpus refer to; the tests create or remove them. */
  static final Path SCRATCH = Path.of("/tmp/xdsdp-envoy-configs");

  private Corpus() {}

  /**
   * Lays out {@link #SCRATCH} as the corpus expects it: every test class that loads corpus files
   * calls this first, so none depends on another having run (a fresh machine has no /tmp files).
   */
  static void prepareScratch() throws IOException {
    // valid/routing/actions.yaml serves this file as a direct response body.
    Files.createDirectories(SCRATCH);
    Files.writeString(SCRATCH.resolve("maintenance.html"),
        "<html><body>Down for maintenance</body></html>\n", StandardCharsets.UTF_8);
    // invalid/ files rely on these being absent.
    Files.deleteIfExists(SCRATCH.resolve("does-not-exist.html"));
    if (Files.exists(SCRATCH.resolve("no-such-directory"))) {
      throw new IllegalStateException(SCRATCH.resolve("no-such-directory") + " must not exist");
    }
  }

  static Path root() {
    URL url = Corpus.class.getResource("/envoy-configs");
    if (url == null) {
      throw new IllegalStateException("envoy-configs is not on the test class path");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every bootstrap ({@code .yaml}, {@code .yml}, {@code .json}) under {@code category}, sorted. */
  static List<Path> configs(String category) {
    try (Stream<Path> files = Files.walk(root().resolve(category))) {
      return files.filter(Files::isRegularFile).filter(Corpus::isConfig).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every file under {@code category} that is neither a bootstrap nor an expectation. */
  static List<Path> strayFiles(String category) {
    try (Stream<Path> files = Files.walk(root().resolve(category))) {
      return files.filter(Files::isRegularFile)
          .filter(p -> !isConfig(p) && !p.getFileName().toString().endsWith(".expected"))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean isConfig(Path p) {
    String n = p.getFileName().toString();
    return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
  }

  /** {@code invalid/foo.yaml} as {@code invalid/foo.yaml}: the test's display name. */
  static String name(Path config) {
    return root().relativize(config).toString();
  }

  static Path expectationOf(Path config) {
    String n = config.getFileName().toString();
    return config.resolveSibling(n.substring(0, n.lastIndexOf('.')) + ".expected");
  }

  /** The expected output of validating {@code config}, with {@code ${config}} filled in. */
  static Expected expected(Path config) {
    List<String> lines;
    try {
      lines = Files.readAllLines(expectationOf(config), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> out = new ArrayList<>();
    List<String> err = new ArrayList<>();
    List<String> current = null;
    for (String line : lines) {
      switch (line) {
        case "[stdout]" -> current = out;
        case "[stderr]" -> current = err;
        default -> {
          if (current == null) {
            throw new IllegalStateException(expectationOf(config) + ": text before [stdout] or [stderr]: " + line);
          }
          current.add(line.replace("${config}", config.toString()));
        }
      }
    }
    return new Expected(List.copyOf(out), List.copyOf(err));
  }

  /** The lines each stream must print. */
  record Expected(List<String> out, List<String> err) {}
}
