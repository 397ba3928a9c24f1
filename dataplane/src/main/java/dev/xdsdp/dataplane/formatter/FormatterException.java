package dev.xdsdp.dataplane.formatter;

/**
 * A format string or format config that cannot be used. The message is Envoy's own wording where
 * Envoy has one (e.g. {@code Not supported field in StreamInfo: FOO}), so operators can search
 * for it.
 */
public final class FormatterException extends Exception {

  public FormatterException(String message) {
    super(message);
  }

  public FormatterException(String message, Throwable cause) {
    super(message, cause);
  }
}
