package dev.xdsdp.dataplane.formatter;

/**
 * One piece of a parsed format string: a literal or one command operator such as
 * {@code %REQ(:PATH)%}. Providers are immutable and shared by all event loops.
 */
public interface FormatterProvider {

  /**
   * The value as text, or null when it is missing; a text format prints a missing value as
   * {@code -} (or nothing with {@code omit_empty_values}).
   */
  String format(FormatterContext context);

  /**
   * The value for typed JSON: null when missing, else a {@link String}, {@link Long},
   * {@link Double}, {@link Boolean} or a {@link com.google.protobuf.Value} (structs and lists
   * from metadata or filter state). Defaults to the text value.
   */
  default Object formatValue(FormatterContext context) {
    return format(context);
  }
}
