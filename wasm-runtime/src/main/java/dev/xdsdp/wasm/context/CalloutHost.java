package dev.xdsdp.wasm.context;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.wasm.EventLoop;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import java.util.Objects;

/**
 * Upstream calls a module makes ({@code proxy_http_call}, {@code proxy_grpc_*}), sent through the
 * data plane's clusters (cpp-host's {@code HttpCallInterface}, {@code GrpcCallInterface},
 * {@code GrpcStreamInterface}). Implemented once per plugin by the data plane.
 *
 * <p>Callbacks may be invoked from any thread; the runtime moves them onto the VM's loop and
 * delivers them to the root context that made the call, never while the VM is running.
 */
public interface CalloutHost {

  /**
   * Starts an HTTP request to {@code request.cluster()}.
   *
   * @return a handle, or null when the cluster is unknown (the module gets {@code BAD_ARGUMENT})
   */
  Callout httpCall(HttpCallRequest request, HttpCallCallbacks callbacks);

  /**
   * Starts a unary gRPC call. Success is reported by {@link GrpcCallbacks#onMessage} alone,
   * failure by {@link GrpcCallbacks#onClose} alone, as Envoy does.
   *
   * @return a handle, or null when the target is unknown (the module gets {@code PARSE_FAILURE})
   */
  Callout grpcCall(GrpcCallRequest request, GrpcCallbacks callbacks);

  /**
   * Opens a gRPC stream; {@code request.message()} is empty. Every callback may be used.
   *
   * @return a handle, or null when the target is unknown
   */
  GrpcStream grpcStream(GrpcCallRequest request, GrpcCallbacks callbacks);

  /** A host that knows no clusters: every call is refused. */
  CalloutHost NONE =
      new CalloutHost() {
        @Override
        public Callout httpCall(HttpCallRequest request, HttpCallCallbacks callbacks) {
          return null;
        }

        @Override
        public Callout grpcCall(GrpcCallRequest request, GrpcCallbacks callbacks) {
          return null;
        }

        @Override
        public GrpcStream grpcStream(GrpcCallRequest request, GrpcCallbacks callbacks) {
          return null;
        }
      };

  /** A call in flight. */
  interface Callout {
    /** Abandons the call; no callback follows. */
    void cancel();
  }

  /** An open gRPC stream. */
  interface GrpcStream extends Callout {
    void send(byte[] message, boolean endOfStream);

    /** Half-closes the sending side. */
    void closeSend();
  }

  /**
   * @param cluster the upstream cluster name
   * @param headers request headers including {@code :method}, {@code :path}, {@code :authority}
   * @param body request body, possibly empty (the host sets {@code content-length})
   * @param trailers request trailers, possibly empty
   * @param timeoutMillis 0 for no timeout
   * @param loop the loop of the calling VM (the host may use it to pick its connection pool)
   */
  record HttpCallRequest(
      String cluster, HeaderMap headers, byte[] body, HeaderMap trailers, long timeoutMillis, EventLoop loop) {
    public HttpCallRequest {
      Objects.requireNonNull(cluster, "cluster");
      Objects.requireNonNull(headers, "headers");
      Objects.requireNonNull(body, "body");
      Objects.requireNonNull(trailers, "trailers");
    }
  }

  /** A complete HTTP response. */
  record HttpCallResponse(HeaderMap headers, byte[] body, HeaderMap trailers) {
    public HttpCallResponse {
      Objects.requireNonNull(headers, "headers");
      body = body == null ? new byte[0] : body;
      trailers = trailers == null ? HeaderMap.create() : trailers;
    }
  }

  /** Completion of an HTTP call: exactly one method is called once. */
  interface HttpCallCallbacks {
    void onSuccess(HttpCallResponse response);

    /**
     * The call was reset. A timeout, no healthy upstream host or a connect failure is a response
     * instead (Envoy's router local reply: 504 or 503), as Envoy's async client delivers it.
     */
    void onFailure(String reason);
  }

  /**
   * @param cluster the cluster to call when the module named one, else null
   * @param service the full {@code GrpcService} when the module sent one, else null
   * @param serviceName e.g. {@code helloworld.Greeter}
   * @param method e.g. {@code SayHello}
   * @param initialMetadata metadata sent with the request
   * @param message the serialized request (unary calls), empty for streams
   * @param timeoutMillis 0 for no timeout
   */
  record GrpcCallRequest(
      String cluster,
      GrpcService service,
      String serviceName,
      String method,
      HeaderMap initialMetadata,
      byte[] message,
      long timeoutMillis,
      EventLoop loop) {}

  /** Events of a gRPC call or stream. */
  interface GrpcCallbacks {
    default void onInitialMetadata(HeaderMap metadata) {}

    void onMessage(byte[] message);

    default void onTrailingMetadata(HeaderMap metadata) {}

    /** The call ended with {@code status} (0 = OK) and a message. */
    void onClose(int status, String message);
  }
}
