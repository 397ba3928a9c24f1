package dev.xdsdp.wasm.abi.host;

import dev.xdsdp.api.http.LocalReply;
import dev.xdsdp.wasm.abi.StreamType;
import dev.xdsdp.wasm.abi.WasmResult;
import dev.xdsdp.wasm.abi.memory.PairsCodec;
import dev.xdsdp.wasm.context.StreamContext;
import dev.xdsdp.wasm.context.WasmInstance;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stream control: {@code proxy_continue_stream}, {@code proxy_close_stream},
 * {@code proxy_send_local_response}, and 0.1.0's {@code proxy_continue_request/response} and
 * {@code proxy_clear_route_cache}. Continue, close and local responses reach the host after the
 * module's callback returns.
 */
final class StreamFunctions extends AbiFunctions {

  StreamFunctions(WasmInstance instance) {
    super(instance);
  }

  @Override
  void register(HostFunctions.Registrar r) {
    r.env("proxy_continue_stream", a -> continueStream(StreamType.fromCode(u32(a[0]))));
    r.env("proxy_close_stream", a -> closeStream(StreamType.fromCode(u32(a[0]))));
    r.env("proxy_continue_request", a -> continueStream(StreamType.HTTP_REQUEST));
    r.env("proxy_continue_response", a -> continueStream(StreamType.HTTP_RESPONSE));
    r.env("proxy_clear_route_cache", a -> clearRouteCache());
    r.env("proxy_send_local_response", a -> sendLocalResponse(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]));
  }

  /**
   * Envoy's {@code Context::continueStream}: an HTTP stream resumes its request or response; a TCP
   * connection resumes its downstream reads; resuming the upstream direction is
   * {@code UNIMPLEMENTED} in Envoy. Each stream ignores the other kind's directions.
   */
  private long continueStream(StreamType type) {
    if (type == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    StreamContext s = stream();
    if (s == null) {
      return code(WasmResult.NOT_FOUND);
    }
    if (s.networkHost() != null) {
      return switch (type) {
        case DOWNSTREAM -> {
          instance.defer(() -> s.host().continueStream(type));
          yield OK;
        }
        case UPSTREAM -> code(WasmResult.UNIMPLEMENTED);
        default -> OK;
      };
    }
    if (type == StreamType.DOWNSTREAM || type == StreamType.UPSTREAM) {
      return code(WasmResult.UNIMPLEMENTED); // an HTTP stream has no TCP directions
    }
    instance.defer(() -> s.host().continueStream(type));
    return OK;
  }

  /** Envoy's {@code Context::closeStream}: a TCP connection closes for either direction. */
  private long closeStream(StreamType type) {
    if (type == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    StreamContext s = stream();
    if (s == null) {
      return code(WasmResult.NOT_FOUND);
    }
    if (s.networkHost() != null) {
      if (type == StreamType.DOWNSTREAM || type == StreamType.UPSTREAM) {
        instance.defer(() -> s.host().closeStream(type));
      }
      return OK;
    }
    if (type == StreamType.DOWNSTREAM || type == StreamType.UPSTREAM) {
      return code(WasmResult.UNIMPLEMENTED);
    }
    instance.defer(() -> s.host().closeStream(type));
    return OK;
  }

  private long clearRouteCache() {
    StreamContext s = stream();
    if (s == null || s.httpHost() == null) {
      return code(WasmResult.NOT_FOUND);
    }
    s.httpHost().clearRouteCache();
    return OK;
  }

  private long sendLocalResponse(
      long status, long detailsPtr, long detailsLen, long bodyPtr, long bodyLen, long hdrPtr, long hdrLen, long grpc) {
    StreamContext s = stream();
    if (s == null || s.httpHost() == null) {
      return code(WasmResult.NOT_FOUND);
    }
    String details = string(detailsPtr, detailsLen);
    byte[] body = bytes(bodyPtr, bodyLen);
    List<Map.Entry<String, String>> pairs = PairsCodec.decode(bytes(hdrPtr, hdrLen));
    int code = (int) status;
    if (pairs == null || code < 100 || code > 999) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    if (s.localReplySent()) {
      return code(WasmResult.BAD_ARGUMENT); // Envoy sends one local reply per stream
    }
    List<LocalReply.Header> headers = new ArrayList<>(pairs.size());
    for (Map.Entry<String, String> e : pairs) {
      headers.add(new LocalReply.Header(e.getKey(), e.getValue()));
    }
    int grpcStatus = grpc >= 0 && grpc <= 16 ? (int) grpc : -1;
    // Envoy puts details into %RESPONSE_CODE_DETAILS%, which must not contain spaces.
    String cleanDetails = details.replaceAll("\\s", "_");
    LocalReply reply =
        new LocalReply(code, new String(body, StandardCharsets.UTF_8), headers, cleanDetails, grpcStatus);
    s.markLocalReplySent();
    instance.defer(() -> s.httpHost().sendLocalResponse(reply));
    return OK;
  }
}
