package dev.xdsdp.dataplane.formatter;

/**
 * A parsed format (text or JSON), Envoy's {@code Formatter}. Immutable and thread-safe: one
 * instance is built with the config and used by every event loop.
 */
public interface Formatter {

  /** The formatted entry; JSON formats end with a newline, text formats only if theirs does. */
  String format(FormatterContext context);

  /**
   * The content type of the output, for local reply bodies: the configured {@code content_type},
   * else {@code text/plain} for text and {@code application/json} for JSON.
   */
  String contentType();
}
