package dev.xdsdp.xds.bootstrap;

/**
 * A config document that cannot be turned into its proto. The message reads the way a user reads
 * their file: {@code source: field.path[0].name: problem}, {@code source: line 12: problem} for
 * syntax errors, or {@code source: problem} when neither applies.
 */
public class ConfigParseException extends Exception {

  private final String sourceName;
  private final String fieldPath;
  private final int line;
  private final String problem;

  ConfigParseException(String sourceName, String fieldPath, int line, String problem, Throwable cause) {
    super(format(sourceName, fieldPath, line, problem), cause);
    this.sourceName = sourceName;
    this.fieldPath = fieldPath;
    this.line = line;
    this.problem = problem;
  }

  /** A problem at a field; {@code fieldPath} may be empty for the document itself. */
  static ConfigParseException atField(String sourceName, String fieldPath, String problem) {
    return new ConfigParseException(sourceName, fieldPath, 0, problem, null);
  }

  /** A syntax problem at a 1-based line. */
  static ConfigParseException atLine(String sourceName, int line, String problem, Throwable cause) {
    return new ConfigParseException(sourceName, "", line, problem, cause);
  }

  /** A problem with the document as a whole (unreadable, empty, ...). */
  static ConfigParseException general(String sourceName, String problem, Throwable cause) {
    return new ConfigParseException(sourceName, "", 0, problem, cause);
  }

  /** The file name or other label the document came from (e.g. {@code --config-yaml}), or "". */
  public String sourceName() {
    return sourceName;
  }

  /** The field path as written in the document (e.g. {@code clusters[1].lb_policy}), or "". */
  public String fieldPath() {
    return fieldPath;
  }

  /** The 1-based line of a syntax error, or 0 when the error is not tied to a line. */
  public int line() {
    return line;
  }

  /** The problem alone, without source or location. */
  public String problem() {
    return problem;
  }

  private static String format(String sourceName, String fieldPath, int line, String problem) {
    StringBuilder sb = new StringBuilder();
    if (!sourceName.isEmpty()) {
      sb.append(sourceName).append(": ");
    }
    if (line > 0) {
      sb.append("line ").append(line).append(": ");
    } else if (!fieldPath.isEmpty()) {
      sb.append(fieldPath).append(": ");
    }
    return sb.append(problem).toString();
  }
}
