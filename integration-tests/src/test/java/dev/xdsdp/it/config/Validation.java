package dev.xdsdp.it.config;

import dev.xdsdp.dataplane.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the data plane's real entry point, {@link Main#run}, in this JVM and captures what it
 * prints. In-process so that the Envoy type registry is built once for the whole test class.
 */
final class Validation {

  /** What one run printed and returned. Lines have no line terminators. */
  record Result(int exit, List<String> out, List<String> err) {

    /** Both streams, labelled, for assertion messages. */
    String transcript() {
      return "exit " + exit + "\n[stdout]\n" + String.join("\n", out) + "\n[stderr]\n" + String.join("\n", err);
    }
  }

  private Validation() {}

  /** {@code dataplane --mode validate <args>}, quiet logging so only the report reaches stdout. */
  static Result validate(String... args) {
    List<String> all = new ArrayList<>(List.of("--mode", "validate", "--log-level", "warning"));
    all.addAll(List.of(args));
    return run(all.toArray(String[]::new));
  }

  /** {@code dataplane <args>}, exactly as given. */
  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exit = Main.run(args, o, e);
    }
    return new Result(exit, lines(out), lines(err));
  }

  private static List<String> lines(ByteArrayOutputStream bytes) {
    String text = bytes.toString(StandardCharsets.UTF_8);
    if (text.isEmpty()) {
      return List.of();
    }
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    return List.of(text.split("\n", -1));
  }
}
