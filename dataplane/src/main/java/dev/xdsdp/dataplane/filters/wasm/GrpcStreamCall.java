package dev.xdsdp.dataplane.filters.wasm;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.dataplane.upstream.Cluster;
import dev.xdsdp.dataplane.upstream.Host;
import dev.xdsdp.wasm.context.CalloutHost;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A module's gRPC stream ({@code proxy_grpc_stream}) on one HTTP/2 stream to a host of the
 * cluster, with Envoy's {@code Grpc::AsyncStreamImpl} semantics: messages the module sends before
 * the stream is open are queued, each response message is delivered as soon as it is complete,
 * {@code closeSend} half-closes, and the end is reported once, as
 * initial metadata → messages → trailing metadata → close. A trailers-only response (the status in
 * the headers) gives empty initial metadata and the headers as trailing metadata; a non-200 HTTP
 * status closes with the gRPC status it maps to, a reset with INTERNAL (both after empty trailing
 * metadata); no host or a connect failure looks like Envoy's trailers-only local reply. After
 * {@link #cancel()} no callback follows.
 *
 * <p>The module calls in on its VM's loop; Vert.x calls back on the connection's; state is guarded
 * by the instance's monitor.
 */
final class GrpcStreamCall implements CalloutHost.GrpcStream {

  private static final int UNKNOWN = 2;
  private static final int INTERNAL = 13;
  private static final int UNAVAILABLE = 14;

  private final Cluster cluster;
  private final CalloutHost.GrpcCallbacks callbacks;
  private final List<Buffer> pending = new ArrayList<>();
  private boolean pendingEnd;
  private HttpClientRequest request;
  private volatile Host host;
  private boolean done;
  private boolean trailersOnly;
  private Buffer received = Buffer.buffer();

  GrpcStreamCall(Cluster cluster, CalloutHost.GrpcCallbacks callbacks) {
    this.cluster = cluster;
    this.callbacks = callbacks;
  }

  void start(HeaderMap headers) {
    Host chosen;
    synchronized (this) {
      if (done) {
        return; // cancelled before it started
      }
      // Under the lock cancel() takes: a cancel from the module's loop releases exactly this.
      chosen = ClusterCallouts.startRequest(cluster);
      host = chosen;
    }
    if (chosen == null) {
      // Envoy's async client answers with the router's 503, which a gRPC stream reports as UNAVAILABLE.
      localReply(UNAVAILABLE, "no healthy upstream");
      return;
    }
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    for (Map.Entry<String, String> e : headers.entries()) {
      if (e.getKey().charAt(0) != ':') {
        out.add(e.getKey(), e.getValue());
      }
    }
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setURI(headers.path())
        .setHeaders(out);
    HostAndPort authority = ClusterCallouts.authority(headers.authority());
    cluster.request(true, chosen, options).onComplete(ar -> {
      if (ar.failed()) {
        localReply(UNAVAILABLE,
            "upstream connect error or disconnect/reset before headers. reset reason: connection failure");
        return;
      }
      HttpClientRequest r = ar.result();
      if (authority != null) {
        r.authority(authority);
      }
      r.exceptionHandler(e -> streamError(INTERNAL, ""));
      r.response().onSuccess(this::onResponse).onFailure(e -> streamError(INTERNAL, ""));
      synchronized (this) {
        if (done) {
          r.reset();
          return;
        }
        // Under the monitor, so that a message the module sends meanwhile goes after the queued ones.
        request = r;
        r.sendHead();
        for (Buffer b : pending) {
          r.write(b);
        }
        pending.clear();
        if (pendingEnd) {
          r.end();
        }
      }
    });
  }

  private void onResponse(HttpClientResponse resp) {
    HeaderMap headers = headerMap(resp.headers());
    // Only a trailers-only response carries the status in its headers.
    trailersOnly = headers.get("grpc-status") != null;
    if (isDone()) {
      return;
    }
    // As Envoy's AsyncStreamImpl::onHeaders: a trailers-only or non-200 response has no initial metadata.
    callbacks.onInitialMetadata(trailersOnly || resp.statusCode() != 200 ? HeaderMap.create() : headers);
    if (resp.statusCode() != 200 && !trailersOnly) {
      streamError(ClusterCallouts.httpToGrpc(resp.statusCode()), "");
      return;
    }
    resp.handler(this::onData);
    resp.exceptionHandler(e -> streamError(INTERNAL, ""));
    resp.endHandler(v -> {
      HeaderMap trailers = trailersOnly ? headers : headerMap(resp.trailers());
      if (isDone()) {
        return;
      }
      callbacks.onTrailingMetadata(trailers);
      String status = trailers.get("grpc-status");
      String message = trailers.get("grpc-message");
      int code;
      try {
        code = status == null ? UNKNOWN : Integer.parseInt(status.trim());
      } catch (NumberFormatException e) {
        code = UNKNOWN;
      }
      finish(code, message == null ? "" : message, false);
    });
  }

  /** Splits the response body into length-prefixed messages and hands each on. */
  private void onData(Buffer chunk) {
    received.appendBuffer(chunk);
    int at = 0;
    while (received.length() - at >= 5) {
      long length = received.getUnsignedInt(at + 1);
      if (received.length() - at - 5 < length) {
        break;
      }
      if (received.getByte(at) != 0) {
        // Envoy's async client reads uncompressed messages only.
        streamError(INTERNAL, "compressed gRPC message");
        return;
      }
      byte[] message = received.getBytes(at + 5, at + 5 + (int) length);
      at += 5 + (int) length;
      if (isDone()) {
        return;
      }
      callbacks.onMessage(message);
    }
    if (at > 0) {
      // Only the unfinished message is kept (a large message arriving in pieces is not re-copied).
      received = received.getBuffer(at, received.length());
    }
  }

  private synchronized boolean isDone() {
    return done;
  }

  /** Marks the stream over; false when it already was. The request cannot change after this. */
  private synchronized boolean markDone() {
    if (done) {
      return false;
    }
    done = true;
    return true;
  }

  private synchronized HttpClientRequest currentRequest() {
    return request;
  }

  /**
   * Envoy's {@code streamError}: empty trailing metadata, the close, and a reset of the HTTP/2
   * stream.
   */
  private void streamError(int status, String message) {
    if (isDone()) {
      return;
    }
    callbacks.onTrailingMetadata(HeaderMap.create());
    finish(status, message, true);
  }

  /**
   * No stream could be opened (no host, connect failure): Envoy's router answers the gRPC request
   * with a trailers-only local reply, which the stream reports as empty initial metadata, the
   * status as trailing metadata, then the close.
   */
  private void localReply(int status, String message) {
    if (isDone()) {
      return;
    }
    callbacks.onInitialMetadata(HeaderMap.create());
    HeaderMap trailers = HeaderMap.create();
    trailers.add("grpc-status", Integer.toString(status));
    trailers.add("grpc-message", message);
    callbacks.onTrailingMetadata(trailers);
    finish(status, message, false);
  }

  /**
   * Ends the stream once: the close callback, the stats, and a reset when asked or when our side
   * is still open (the server ended first; Envoy's async stream resets then, freeing the HTTP/2
   * stream).
   */
  private void finish(int status, String message, boolean reset) {
    if (!markDone()) {
      return;
    }
    HttpClientRequest r;
    boolean halfOpen;
    synchronized (this) {
      r = request;
      halfOpen = !pendingEnd;
    }
    release(status == 0);
    if ((reset || halfOpen) && r != null) {
      r.reset();
    }
    callbacks.onClose(status, message);
  }

  private void release(boolean success) {
    if (host != null) {
      cluster.stats().upstreamRqActive.dec();
      host.onRequestEnd(success);
    }
  }

  @Override
  public void send(byte[] message, boolean endOfStream) {
    Buffer frame = Buffer.buffer(ClusterCallouts.grpcFrame(message));
    synchronized (this) {
      if (done || pendingEnd) {
        return;
      }
      pendingEnd = endOfStream;
      if (request == null) {
        pending.add(frame);
      } else if (endOfStream) {
        request.end(frame);
      } else {
        request.write(frame);
      }
    }
  }

  @Override
  public void closeSend() {
    synchronized (this) {
      if (done || pendingEnd) {
        return;
      }
      pendingEnd = true;
      if (request != null) {
        request.end();
      }
    }
  }

  @Override
  public void cancel() {
    if (!markDone()) {
      return;
    }
    HttpClientRequest r = currentRequest();
    if (host != null) {
      cluster.stats().upstreamRqCancelled.inc();
    }
    release(false);
    if (r != null) {
      r.reset();
    }
  }

  private static HeaderMap headerMap(MultiMap m) {
    HeaderMap h = HeaderMap.create();
    for (Map.Entry<String, String> e : m) {
      h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
    }
    return h;
  }
}
