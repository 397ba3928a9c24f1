package dev.xdsdp.dataplane.stats;

/** What an admin stats endpoint answers: HTTP status, {@code content-type} and body. */
public record StatsResponse(int status, String contentType, String body) {

  /** Envoy's admin default content type. */
  public static final String TEXT = "text/plain; charset=UTF-8";

  public static final String JSON = "application/json";

  static StatsResponse badRequest(String message) {
    return new StatsResponse(400, TEXT, message);
  }
}
