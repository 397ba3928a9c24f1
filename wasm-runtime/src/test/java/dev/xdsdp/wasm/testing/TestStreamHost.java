package dev.xdsdp.wasm.testing;

import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.LocalReply;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.wasm.abi.BufferType;
import dev.xdsdp.wasm.abi.MapType;
import dev.xdsdp.wasm.abi.StreamType;
import dev.xdsdp.wasm.context.HttpStreamHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link HttpStreamHost} over plain maps and buffers that records what the module asked for:
 * continues, closes, local replies, route-cache clears. Fields are public for setup and checks.
 */
public final class TestStreamHost implements HttpStreamHost {

  public HeaderMap requestHeaders;
  public HeaderMap requestTrailers;
  public HeaderMap responseHeaders;
  public HeaderMap responseTrailers;
  public BodyBuffer requestBody;
  public BodyBuffer responseBody;
  /** When true, a write to absent trailers creates them (the last body chunk in Envoy). */
  public boolean canAddTrailers;
  public final TestStreamInfo info = new TestStreamInfo();
  public final Map<String, byte[]> propertyOverrides = new HashMap<>();
  public final List<StreamType> continued = new CopyOnWriteArrayList<>();
  public final List<StreamType> closed = new CopyOnWriteArrayList<>();
  public final List<LocalReply> localReplies = new CopyOnWriteArrayList<>();
  public int routeCacheClears;
  /** Runs on every local reply before it is recorded (to check what the module had done by then). */
  public java.util.function.Consumer<LocalReply> onLocalReply = r -> {};

  /** A request with {@code :method}, {@code :path}, {@code :authority}, {@code :scheme} and the given extra headers. */
  public static TestStreamHost request(String method, String path, String... extraHeaders) {
    TestStreamHost h = new TestStreamHost();
    HeaderMap m = HeaderMap.create();
    m.add(":method", method);
    m.add(":path", path);
    m.add(":authority", "example.com");
    m.add(":scheme", "http");
    for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
      m.add(extraHeaders[i], extraHeaders[i + 1]);
    }
    h.requestHeaders = m;
    h.info.requestHeaders = m;
    return h;
  }

  public TestStreamHost withResponse(int status, String... headers) {
    HeaderMap m = HeaderMap.create();
    m.add(":status", Integer.toString(status));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      m.add(headers[i], headers[i + 1]);
    }
    responseHeaders = m;
    info.responseHeaders = m;
    info.responseCode = status;
    return this;
  }

  @Override
  public HeaderMap headerMap(MapType type, boolean forWrite) {
    switch (type) {
      case HTTP_REQUEST_HEADERS -> {
        return requestHeaders;
      }
      case HTTP_REQUEST_TRAILERS -> {
        if (requestTrailers == null && forWrite && canAddTrailers) {
          requestTrailers = HeaderMap.create();
        }
        return requestTrailers;
      }
      case HTTP_RESPONSE_HEADERS -> {
        return responseHeaders;
      }
      case HTTP_RESPONSE_TRAILERS -> {
        if (responseTrailers == null && forWrite && canAddTrailers) {
          responseTrailers = HeaderMap.create();
        }
        return responseTrailers;
      }
      default -> {
        return null;
      }
    }
  }

  @Override
  public BodyBuffer body(BufferType type) {
    return switch (type) {
      case HTTP_REQUEST_BODY -> requestBody;
      case HTTP_RESPONSE_BODY -> responseBody;
      default -> null;
    };
  }

  @Override
  public StreamInfo streamInfo() {
    return info;
  }

  @Override
  public byte[] property(List<String> path) {
    return propertyOverrides.get(String.join(".", path));
  }

  @Override
  public void continueStream(StreamType type) {
    continued.add(type);
  }

  @Override
  public void closeStream(StreamType type) {
    closed.add(type);
  }

  @Override
  public void sendLocalResponse(LocalReply reply) {
    onLocalReply.accept(reply);
    localReplies.add(reply);
  }

  @Override
  public void clearRouteCache() {
    routeCacheClears++;
  }

  /** A header's values, for assertions. */
  public List<String> requestHeader(String name) {
    return requestHeaders == null ? List.of() : new ArrayList<>(requestHeaders.getAll(name));
  }
}
