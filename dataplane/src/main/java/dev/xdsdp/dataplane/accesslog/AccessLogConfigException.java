package dev.xdsdp.dataplane.accesslog;

/**
 * An access log config that cannot be used. The message names the log (its index and name), the
 * field and the problem; formatter errors keep Envoy's wording.
 */
public final class AccessLogConfigException extends Exception {

  public AccessLogConfigException(String message) {
    super(message);
  }

  public AccessLogConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
