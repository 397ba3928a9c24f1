package dev.xdsdp.api.filter;

/**
 * A filter config that cannot be used. The message names the field and the problem in words an
 * operator can act on; it ends up in a NACK's {@code error_detail} or a startup error.
 */
public class FilterConfigException extends Exception {

  public FilterConfigException(String message) {
    super(message);
  }

  public FilterConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
