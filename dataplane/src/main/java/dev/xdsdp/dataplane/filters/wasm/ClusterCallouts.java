package dev.xdsdp.dataplane.filters.wasm;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.dataplane.upstream.Cluster;
import dev.xdsdp.dataplane.upstream.ClusterManager;
import dev.xdsdp.dataplane.upstream.Host;
import dev.xdsdp.wasm.context.CalloutHost;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The modules' upstream calls ({@code proxy_http_call}, {@code proxy_grpc_call},
 * {@code proxy_grpc_stream}) sent through the cluster manager: a host from the cluster's load
 * balancer, a request on the cluster's Vert.x pool. HTTP and unary gRPC calls buffer the whole
 * response (Envoy's {@code AsyncClient}); gRPC streams deliver each message as it arrives (Envoy's
 * {@code Grpc::AsyncStream}). Requests start on the calling VM's loop, so their completions come
 * back on it.
 */
final class ClusterCallouts implements CalloutHost {

  private static final System.Logger LOG = System.getLogger("wasm");
  private static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "content-length");

  private final ClusterManager clusters;
  private final Vertx vertx;

  ClusterCallouts(ClusterManager clusters, Vertx vertx) {
    this.clusters = clusters;
    this.vertx = vertx;
  }

  @Override
  public Callout httpCall(HttpCallRequest request, HttpCallCallbacks callbacks) {
    Cluster cluster = clusters.get(request.cluster());
    if (cluster == null) {
      return null;
    }
    Call call = new Call(cluster, false, request.timeoutMillis()) {
      @Override
      void onResponse(HeaderMap headers, byte[] body, HeaderMap trailers) {
        callbacks.onSuccess(new HttpCallResponse(headers, body, trailers));
      }

      @Override
      void onError(String reason, CallError error) {
        // Envoy's async client runs the call through its router: a timeout, no healthy host or a
        // connect failure becomes the router's local reply, which the module receives as a
        // response (proxy_on_http_call_response with headers). Only a reset is a failure.
        switch (error) {
          case TIMEOUT -> callbacks.onSuccess(localReply(504, "upstream request timeout"));
          case NO_HEALTHY_UPSTREAM -> callbacks.onSuccess(localReply(503, "no healthy upstream"));
          case CONNECT_FAILURE -> callbacks.onSuccess(localReply(503,
              "upstream connect error or disconnect/reset before headers. reset reason: connection failure"));
          case RESET -> callbacks.onFailure(reason);
        }
      }
    };
    onVertxContext(() -> call.start(request.headers(), request.body()));
    return call;
  }

  /** How a call ended without a response from the upstream. */
  enum CallError { TIMEOUT, NO_HEALTHY_UPSTREAM, CONNECT_FAILURE, RESET }

  /** Envoy's router local reply, as its async client hands it to the caller. */
  private static HttpCallResponse localReply(int status, String text) {
    byte[] body = text.getBytes(StandardCharsets.US_ASCII);
    HeaderMap h = HeaderMap.create();
    h.add(":status", Integer.toString(status));
    h.add("content-length", Integer.toString(body.length));
    h.add("content-type", "text/plain");
    return new HttpCallResponse(h, body, HeaderMap.create());
  }

  /** The cluster a gRPC call names, directly or through its {@code GrpcService}. */
  private static String grpcClusterName(GrpcCallRequest request) {
    String name = request.cluster();
    if (name == null && request.service() != null && request.service().hasEnvoyGrpc()) {
      name = request.service().getEnvoyGrpc().getClusterName();
    }
    return name;
  }

  /** The request headers of a gRPC call: method path, authority, content type, metadata. */
  private static HeaderMap grpcHeaders(GrpcCallRequest request, String clusterName) {
    HeaderMap headers = HeaderMap.create();
    headers.add(":method", "POST");
    headers.add(":path", "/" + request.serviceName() + "/" + request.method());
    String authority = request.service() != null && !request.service().getEnvoyGrpc().getAuthority().isEmpty()
        ? request.service().getEnvoyGrpc().getAuthority()
        : clusterName;
    headers.add(":authority", authority);
    headers.add("content-type", "application/grpc");
    headers.add("te", "trailers");
    if (request.timeoutMillis() > 0) {
      headers.add("grpc-timeout", request.timeoutMillis() + "m");
    }
    if (request.initialMetadata() != null) {
      request.initialMetadata().forEach((k, v) -> {
        if (!k.startsWith(":")) {
          headers.add(k, v);
        }
      });
    }
    return headers;
  }

  /** The cluster a gRPC call or stream names, or null (the module gets PARSE_FAILURE). */
  private Cluster grpcCluster(GrpcCallRequest request) {
    String name = grpcClusterName(request);
    return name == null ? null : clusters.get(name);
  }

  /** One gRPC length-prefixed message (uncompressed). */
  static byte[] grpcFrame(byte[] message) {
    return ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message).array();
  }

  @Override
  public Callout grpcCall(GrpcCallRequest request, GrpcCallbacks callbacks) {
    Cluster cluster = grpcCluster(request);
    if (cluster == null) {
      return null;
    }
    HeaderMap headers = grpcHeaders(request, cluster.config().name());
    byte[] frame = grpcFrame(request.message() == null ? new byte[0] : request.message());
    Call call = new Call(cluster, true, request.timeoutMillis()) {
      @Override
      void onResponse(HeaderMap respHeaders, byte[] body, HeaderMap trailers) {
        callbacks.onInitialMetadata(respHeaders);
        String status = trailers.get("grpc-status") != null ? trailers.get("grpc-status") : respHeaders.get("grpc-status");
        String msg = trailers.get("grpc-message") != null ? trailers.get("grpc-message") : respHeaders.get("grpc-message");
        int code;
        if (respHeaders.status() != 200) {
          code = httpToGrpc(respHeaders.status());
        } else if (status == null) {
          code = 2; // UNKNOWN: a gRPC response without a status
        } else {
          try {
            code = Integer.parseInt(status.trim());
          } catch (NumberFormatException e) {
            code = 2;
          }
        }
        if (!trailers.isEmpty()) {
          callbacks.onTrailingMetadata(trailers);
        }
        if (code != 0) {
          callbacks.onClose(code, msg == null ? "" : msg);
          return;
        }
        if (body.length < 5) {
          callbacks.onClose(13, "missing response message");
          return;
        }
        int len = ByteBuffer.wrap(body, 1, 4).getInt();
        if (len < 0 || 5 + len > body.length) {
          callbacks.onClose(13, "malformed response message");
          return;
        }
        byte[] out = new byte[len];
        System.arraycopy(body, 5, out, 0, len);
        callbacks.onMessage(out);
      }

      @Override
      void onError(String reason, CallError error) {
        callbacks.onClose(error == CallError.TIMEOUT ? 4 : 14, reason);
      }
    };
    onVertxContext(() -> call.start(headers, frame));
    return call;
  }

  @Override
  public GrpcStream grpcStream(GrpcCallRequest request, GrpcCallbacks callbacks) {
    Cluster cluster = grpcCluster(request);
    if (cluster == null) {
      return null;
    }
    GrpcStreamCall stream = new GrpcStreamCall(cluster, callbacks);
    HeaderMap headers = grpcHeaders(request, cluster.config().name());
    onVertxContext(() -> stream.start(headers));
    return stream;
  }

  /**
   * Runs {@code start} on a Vert.x context. A response's handlers must be attached on the event
   * loop that delivers it, or its first bytes can go by unseen; worker loops are Vert.x contexts,
   * but a singleton service's thread is not.
   */
  private void onVertxContext(Runnable start) {
    if (io.vertx.core.Vertx.currentContext() != null) {
      start.run();
    } else {
      vertx.getOrCreateContext().runOnContext(v -> start.run());
    }
  }

  /**
   * Chooses the host of a callout and counts the request on the cluster and the host, together, so
   * that a cancel releases exactly what was counted; null when the cluster has no healthy host.
   */
  static Host startRequest(Cluster cluster) {
    Host chosen = cluster.chooseHost();
    if (chosen != null) {
      cluster.stats().upstreamRqTotal.inc();
      cluster.stats().upstreamRqActive.inc();
      chosen.onRequestStart();
    }
    return chosen;
  }

  /** Envoy's {@code Grpc::Utility::httpToGrpcStatus}. */
  static int httpToGrpc(int http) {
    return switch (http) {
      case 400 -> 13;
      case 401 -> 16;
      case 403 -> 7;
      case 404 -> 12;
      case 429, 502, 503, 504 -> 14;
      default -> 2;
    };
  }

  /** {@code host[:port]} as Vert.x wants it, or null. */
  static HostAndPort authority(String authority) {
    if (authority == null || authority.isEmpty()) {
      return null;
    }
    int colon = authority.lastIndexOf(':');
    if (colon > 0 && authority.indexOf(']') < colon) {
      try {
        return HostAndPort.create(authority.substring(0, colon), Integer.parseInt(authority.substring(colon + 1)));
      } catch (NumberFormatException e) {
        return HostAndPort.create(authority, -1);
      }
    }
    return HostAndPort.create(authority, -1);
  }

  /** One buffered request to one host; exactly one of the completions runs, unless cancelled. */
  private abstract class Call implements Callout {
    private final Cluster cluster;
    private final boolean http2;
    private final long timeoutMillis;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile HttpClientRequest request;
    private volatile long timer = -1;
    private volatile Host host;

    Call(Cluster cluster, boolean grpc, long timeoutMillis) {
      this.cluster = cluster;
      this.http2 = grpc || cluster.useHttp2(false);
      this.timeoutMillis = timeoutMillis;
    }

    abstract void onResponse(HeaderMap headers, byte[] body, HeaderMap trailers);

    abstract void onError(String reason, CallError error);

    void start(HeaderMap headers, byte[] body) {
      Host chosen;
      // With cancel() under the same lock: a cancel from the module's loop while this starts on
      // another thread either comes first (nothing starts) or releases exactly what was counted.
      synchronized (this) {
        if (done.get()) {
          return; // cancelled before it started
        }
        chosen = startRequest(cluster);
        host = chosen;
      }
      if (chosen == null) {
        finishWithError("no healthy upstream", CallError.NO_HEALTHY_UPSTREAM);
        return;
      }
      if (timeoutMillis > 0) {
        timer = vertx.setTimer(timeoutMillis, t -> {
          HttpClientRequest r = request;
          if (finishWithError("timeout", CallError.TIMEOUT)) {
            cluster.stats().upstreamRqTimeout.inc();
            if (r != null) {
              r.reset();
            }
          }
        });
        if (done.get()) {
          cancelTimer(); // cancelled while the timer was being set
        }
      }
      RequestOptions options = new RequestOptions()
          .setMethod(HttpMethod.valueOf(headers.method()))
          .setURI(headers.path());
      MultiMap out = MultiMap.caseInsensitiveMultiMap();
      for (Map.Entry<String, String> e : headers.entries()) {
        String n = e.getKey();
        if (n.charAt(0) == ':' || (HOP_BY_HOP.contains(n) && !(n.equals("te") && http2))) {
          continue;
        }
        out.add(n, e.getValue());
      }
      options.setHeaders(out);
      String authority = headers.authority();
      cluster.request(http2, chosen, options).onComplete(ar -> {
        if (ar.failed()) {
          finishWithError("upstream connect error: " + ar.cause().getMessage(), CallError.CONNECT_FAILURE);
          return;
        }
        HttpClientRequest r = ar.result();
        request = r;
        if (done.get()) {
          r.reset();
          return;
        }
        HostAndPort hp = authority(authority);
        if (hp != null) {
          r.authority(hp);
        }
        (body.length == 0 ? r.send() : r.send(Buffer.buffer(body))).compose(resp -> resp.body().map(b -> new Object[] {resp, b}))
            .onComplete(res -> {
              if (res.failed()) {
                finishWithError("reset: " + res.cause().getMessage(), CallError.RESET);
                return;
              }
              HttpClientResponse resp = (HttpClientResponse) res.result()[0];
              Buffer b = (Buffer) res.result()[1];
              if (!done.compareAndSet(false, true)) {
                return;
              }
              cancelTimer();
              end(true);
              // Envoy's async client requests count as internal ones.
              cluster.stats().onResponseCode(resp.statusCode(), true);
              onResponse(toHeaderMap(resp), b.getBytes(), trailers(resp.trailers()));
            });
      });
    }

    private HeaderMap toHeaderMap(HttpClientResponse resp) {
      HeaderMap h = HeaderMap.create();
      h.add(":status", Integer.toString(resp.statusCode()));
      for (Map.Entry<String, String> e : resp.headers()) {
        h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
      }
      return h;
    }

    private HeaderMap trailers(MultiMap m) {
      HeaderMap h = HeaderMap.create();
      for (Map.Entry<String, String> e : m) {
        h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
      }
      return h;
    }

    /** True when this completion won. */
    private boolean finishWithError(String reason, CallError error) {
      if (!done.compareAndSet(false, true)) {
        return false;
      }
      cancelTimer();
      end(false);
      onError(reason, error);
      return true;
    }

    private void end(boolean success) {
      if (host != null) {
        cluster.stats().upstreamRqActive.dec();
        host.onRequestEnd(success);
      }
    }

    private void cancelTimer() {
      long t = timer;
      if (t >= 0) {
        vertx.cancelTimer(t);
      }
    }

    @Override
    public void cancel() {
      synchronized (this) {
        if (!done.compareAndSet(false, true)) {
          return;
        }
      }
      cancelTimer();
      if (host != null) {
        cluster.stats().upstreamRqCancelled.inc();
      }
      end(false);
      HttpClientRequest r = request;
      if (r != null) {
        r.reset();
      }
    }
  }
}
