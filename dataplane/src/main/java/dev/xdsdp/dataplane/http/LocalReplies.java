package dev.xdsdp.dataplane.http;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.LocalReply;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Builds the headers of a proxy-generated response, including Envoy's gRPC translation. */
public final class LocalReplies {

  private LocalReplies() {}

  /**
   * The response headers for {@code reply}. For gRPC requests the reply becomes a trailers-only
   * gRPC response (HTTP 200, {@code grpc-status} mapped from the HTTP status, {@code grpc-message}
   * the body), as Envoy's {@code sendLocalReply} does.
   */
  public static HeaderMap headers(LocalReply reply, HeaderMap requestHeaders) {
    HeaderMap h = HeaderMap.create();
    if (requestHeaders != null && isGrpc(requestHeaders)) {
      h.add(":status", "200");
      h.add("content-type", "application/grpc");
      int grpc = reply.grpcStatus() >= 0 ? reply.grpcStatus() : httpToGrpcStatus(reply.status());
      h.add("grpc-status", Integer.toString(grpc));
      if (!reply.body().isEmpty()) {
        h.add("grpc-message", percentEncode(reply.body()));
      }
      for (LocalReply.Header extra : reply.headers()) {
        h.add(extra.name(), extra.value());
      }
      return h;
    }
    h.add(":status", Integer.toString(reply.status()));
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    if (body.length > 0) {
      h.add("content-length", Integer.toString(body.length));
      h.add("content-type", "text/plain");
    }
    for (LocalReply.Header extra : reply.headers()) {
      h.add(extra.name(), extra.value());
    }
    return h;
  }

  static boolean isGrpc(HeaderMap headers) {
    String ct = headers.get("content-type");
    return ct != null && ct.startsWith("application/grpc");
  }

  /** Envoy's {@code Grpc::Utility::httpToGrpcStatus}. */
  public static int httpToGrpcStatus(int http) {
    return switch (http) {
      case 400 -> 13;
      case 401 -> 16;
      case 403 -> 7;
      case 404 -> 12;
      case 429, 502, 503, 504 -> 14;
      default -> 2;
    };
  }

  private static String percentEncode(String s) {
    // grpc-message is percent-encoded (gRPC over HTTP/2 spec); keep printable ASCII except '%'.
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c <= 0x7e && c != '%') {
        sb.append((char) c);
      } else {
        sb.append('%').append(String.format("%02X", c));
      }
    }
    return sb.toString();
  }

  static String urlEncode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
