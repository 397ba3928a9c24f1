package dev.xdsdp.wasm.context;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.wasm.abi.MapType;
import java.util.List;

/**
 * What an access logger plugin's root context sees during {@code proxy_on_log}: the finished
 * stream's headers (read-only; absent for a TCP connection) and its facts, Envoy's
 * {@code access_log_request_headers_} and {@code access_log_stream_info_}.
 *
 * @param requestHeaders may be null
 * @param responseHeaders may be null
 * @param responseTrailers may be null
 * @param properties what only the data plane knows (listener facts), or {@link PropertyHost#NONE}
 */
public record AccessLogEntry(
    HeaderMap requestHeaders,
    HeaderMap responseHeaders,
    HeaderMap responseTrailers,
    StreamInfo info,
    PropertyHost properties) implements HeaderHost, PropertyHost {

  public AccessLogEntry {
    properties = properties == null ? PropertyHost.NONE : properties;
  }

  @Override
  public HeaderMap headerMap(MapType type, boolean forWrite) {
    return switch (type) {
      case HTTP_REQUEST_HEADERS -> requestHeaders;
      case HTTP_RESPONSE_HEADERS -> responseHeaders;
      case HTTP_RESPONSE_TRAILERS -> responseTrailers;
      default -> null;
    };
  }

  @Override
  public StreamInfo streamInfo() {
    return info;
  }

  @Override
  public byte[] property(List<String> path) {
    return properties.property(path);
  }
}
