package dev.xdsdp.dataplane.server;

/**
 * A command line that cannot be run: an unknown flag, a missing or malformed value. The message
 * is one line that names the flag; print it and {@link #usageHint()} to stderr and exit with
 * {@link #EXIT_CODE}.
 */
public final class CommandLineException extends Exception {

  /** The process exit code for a bad command line, as Envoy's. */
  public static final int EXIT_CODE = 1;

  CommandLineException(String message) {
    super(message);
  }

  /** A second line pointing at {@code --help}. */
  public String usageHint() {
    return "For complete USAGE and HELP type: " + CommandLine.PROGRAM + " --help";
  }
}
