package dev.xdsdp.it.support;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A real HTTP client (the JDK's) with small helpers for tests. */
public final class Http {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private Http() {}

  public static HttpResponse<String> get(URI uri, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public static HttpResponse<String> send(HttpRequest request) throws Exception {
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The echo upstream's description of the request, from a response body. */
  public static JsonObject echo(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  /** The first value of a request header as the upstream saw it, or null. */
  public static String upstreamHeader(HttpResponse<String> response, String name) {
    var values = echo(response).getJsonObject("headers").getJsonArray(name);
    return values == null ? null : values.getString(0);
  }
}
