package dev.xdsdp.xds.resource;

/**
 * A resource that cannot be used. The message starts with the field path inside the resource, e.g.
 * {@code filter_chains[0].filters[0].typed_config.http_filters[1]: ...}; {@link #resourceName()}
 * names the resource. Together they become a NACK's {@code error_detail} or a startup error.
 */
public final class ResourceInvalidException extends Exception {

  private final String resourceName;

  public ResourceInvalidException(String resourceName, String message) {
    super(message);
    this.resourceName = resourceName;
  }

  public ResourceInvalidException(String resourceName, String message, Throwable cause) {
    super(message, cause);
    this.resourceName = resourceName;
  }

  public String resourceName() {
    return resourceName;
  }

  /** {@code <resource>: <message>}, as printed in startup errors and NACKs. */
  public String describe() {
    return resourceName + ": " + getMessage();
  }
}
