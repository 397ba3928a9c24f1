package dev.xdsdp.dataplane.admin;

/**
 * What an admin handler answers. The server adds Envoy's fallback headers ({@code cache-control:
 * no-cache, max-age=0} and {@code x-content-type-options: nosniff}).
 *
 * @param status the HTTP status code
 * @param contentType the {@code content-type}
 * @param body the response body
 * @param afterSent run once the response has been written (or failed to be), off the event loop;
 *     null for nothing. {@code /quitquitquit} uses it so that the client gets its "OK" before the
 *     server goes away.
 */
public record AdminResponse(int status, String contentType, String body, Runnable afterSent) {

  /** Envoy's {@code text/plain; charset=UTF-8}, the default of admin responses. */
  public static final String TEXT_UTF8 = "text/plain; charset=UTF-8";

  /** Envoy's {@code ContentTypeValues.Text}, used by a few endpoints and by error bodies. */
  public static final String TEXT = "text/plain";

  public static final String JSON = "application/json";

  public static AdminResponse text(int status, String body) {
    return new AdminResponse(status, TEXT_UTF8, body, null);
  }

  public static AdminResponse ok(String body) {
    return text(200, body);
  }

  public static AdminResponse json(String body) {
    return new AdminResponse(200, JSON, body, null);
  }

  /** The same response, running {@code action} after it has been sent. */
  public AdminResponse thenRun(Runnable action) {
    return new AdminResponse(status, contentType, body, action);
  }
}
