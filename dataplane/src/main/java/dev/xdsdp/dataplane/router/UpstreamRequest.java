package dev.xdsdp.dataplane.router;

import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.dataplane.upstream.Cluster;
import dev.xdsdp.dataplane.upstream.Host;
import dev.xdsdp.dataplane.upstream.SharedConnectFailure;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.net.HostAndPort;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One attempt of the router's request to one upstream host, over the cluster's Vert.x pool. Reports
 * back to the {@link RouterFilter} on the stream's event loop: connection failure or reset, response
 * headers, body and trailers.
 */
final class UpstreamRequest {

  /** What the router hears from an attempt. */
  interface Listener {
    void onUpstreamReset(UpstreamRequest attempt, RetryState.ResetReason reason, String transportFailure);

    void onUpstreamHeaders(UpstreamRequest attempt, HeaderMap headers, boolean endStream);

    void onUpstreamData(UpstreamRequest attempt, BodyBuffer data, boolean endStream);

    void onUpstreamTrailers(UpstreamRequest attempt, HeaderMap trailers);

    /** The write queue to the upstream crossed its high ({@code true}) or low watermark. */
    void onUpstreamWriteQueue(boolean full);
  }

  private static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "http2-settings", "expect");

  private final Listener listener;
  private final Cluster cluster;
  private final Host host;
  private final boolean http2;
  private HttpClientRequest request;
  private HttpClientResponse response;
  private final List<Buffer> pendingWrites = new ArrayList<>();
  private boolean pendingEnd;
  private boolean requestEnded;
  private boolean done;
  private boolean cancelled;
  private boolean holdsRequestSlot;
  private boolean pending;
  private long startNanos;
  private boolean responseStarted;
  private HeaderMap heldHeaders;
  private boolean paused;

  UpstreamRequest(Listener listener, Cluster cluster, Host host, boolean http2) {
    this.listener = listener;
    this.cluster = cluster;
    this.host = host;
    this.http2 = http2;
  }

  Host host() {
    return host;
  }

  long startNanos() {
    return startNanos;
  }

  boolean responseStarted() {
    return responseStarted;
  }

  /**
   * Sends the request headers (and, if {@code endStream}, ends the request) once the cluster's pool
   * gives the attempt a stream. As Envoy's connection pool: an attempt that gets a stream at once
   * is never pending; one that must wait for a connection is, within the pending-request circuit
   * breaker; the request circuit breaker is checked, and {@code upstream_rq_total} counted, when
   * the attempt gets its stream. Either breaker open fails the attempt with an overflow reset.
   */
  void start(HeaderMap headers, boolean endStream) {
    startNanos = System.nanoTime();
    pendingEnd = endStream;
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.valueOf(headers.method()))
        .setURI(headers.path());
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    boolean hasLength = false;
    for (Map.Entry<String, String> e : headers.entries()) {
      String n = e.getKey();
      if (n.charAt(0) == ':' || HOP_BY_HOP.contains(n)) {
        continue;
      }
      if (n.equals("te") && !(http2 && "trailers".equalsIgnoreCase(e.getValue().trim()))) {
        continue;
      }
      if (n.equals("content-length")) {
        hasLength = true;
      }
      out.add(n, e.getValue());
    }
    options.setHeaders(out);
    boolean chunked = !http2 && !endStream && !hasLength;
    HostAndPort authority = authority(headers.authority());
    // The slot is taken before asking: a request the pool has queued cannot be taken back (nor the
    // connection it may start), so a full queue refuses at once, even a request that an idle
    // connection could have taken.
    if (!cluster.resources().pendingRequests().tryAcquire()) {
      overflow(cluster.stats().cbRqPendingOpen);
      return;
    }
    Future<HttpClientRequest> stream = cluster.request(http2, host, options);
    if (stream.isComplete()) {
      cluster.resources().pendingRequests().release();
    } else {
      pending = true;
      cluster.stats().upstreamRqPendingTotal.inc();
      cluster.stats().upstreamRqPendingActive.inc();
    }
    stream.onComplete(ar -> onStream(ar, authority, chunked));
  }

  private void overflow(Gauge breakerOpen) {
    cluster.stats().upstreamRqPendingOverflow.inc();
    breakerOpen.set(1);
    fail(RetryState.ResetReason.OVERFLOW, "");
  }

  private void onStream(AsyncResult<HttpClientRequest> ar, HostAndPort authority, boolean chunked) {
    boolean waited = pending;
    leavePending();
    if (cancelled || done) {
      if (ar.succeeded()) {
        ar.result().reset();
      }
      return;
    }
    if (ar.failed()) {
      if (waited) {
        cluster.stats().upstreamRqPendingFailureEject.inc();
      }
      // The cluster counted the connect failure; a request that waited for another's connect
      // fails for that connect's reason.
      Throwable t = ar.cause() instanceof SharedConnectFailure shared ? shared.getCause() : ar.cause();
      fail(classifyConnectFailure(t), transportFailure(t));
      return;
    }
    if (!cluster.resources().requests().tryAcquire()) {
      ar.result().reset();
      overflow(cluster.stats().cbRqOpen);
      return;
    }
    holdsRequestSlot = true;
    cluster.stats().upstreamRqTotal.inc();
    cluster.stats().upstreamRqActive.inc();
    host.onRequestStart();
    request = ar.result();
    if (authority != null) {
      request.authority(authority);
    }
    request.exceptionHandler(this::onStreamError);
    request.response().onComplete(r -> {
      if (r.failed()) {
        onStreamError(r.cause());
      } else {
        onResponse(r.result());
      }
    });
    if (chunked) {
      request.setChunked(true);
    }
    request.drainHandler(v -> {
      if (!cancelled && !done) {
        listener.onUpstreamWriteQueue(false);
      }
    });
    if (pendingEnd && pendingWrites.isEmpty()) {
      requestEnded = true;
      request.end();
      return;
    }
    request.writeHead();
    for (Buffer b : pendingWrites) {
      request.write(b);
    }
    pendingWrites.clear();
    if (pendingEnd) {
      requestEnded = true;
      request.end();
    } else if (request.writeQueueFull()) {
      listener.onUpstreamWriteQueue(true);
    }
  }

  private void leavePending() {
    if (pending) {
      pending = false;
      cluster.resources().pendingRequests().release();
      cluster.stats().upstreamRqPendingActive.dec();
      cluster.stats().cbRqPendingOpen.set(0);
    }
  }

  private static HostAndPort authority(String authority) {
    if (authority == null || authority.isEmpty()) {
      return null;
    }
    String host = authority;
    int port = -1;
    int colon = authority.lastIndexOf(':');
    if (colon > 0 && authority.indexOf(']') < colon) {
      try {
        port = Integer.parseInt(authority.substring(colon + 1));
        host = authority.substring(0, colon);
      } catch (NumberFormatException e) {
        port = -1;
      }
    }
    return HostAndPort.create(host, port);
  }

  /** Body towards the upstream; buffered until the connection is ready. */
  void sendData(BodyBuffer data, boolean endStream) {
    if (done || cancelled || requestEnded) {
      return;
    }
    Buffer buf = data.isEmpty() ? null : Buffer.buffer(data.toByteArray());
    if (buf != null) {
      cluster.stats().upstreamCxTxBytesTotal.add(buf.length());
    }
    if (request == null) {
      if (buf != null) {
        pendingWrites.add(buf);
      }
      pendingEnd |= endStream;
      return;
    }
    if (endStream) {
      requestEnded = true;
      if (buf == null) {
        request.end();
      } else {
        request.end(buf);
      }
      return;
    }
    if (buf != null) {
      request.write(buf);
      if (request.writeQueueFull()) {
        listener.onUpstreamWriteQueue(true);
      }
    }
  }

  private void onResponse(HttpClientResponse resp) {
    if (cancelled || done) {
      return;
    }
    response = resp;
    responseStarted = true;
    if (paused) {
      resp.pause(); // the downstream was already above its watermark
    }
    HeaderMap headers = HeaderMap.create();
    headers.add(":status", Integer.toString(resp.statusCode()));
    for (Map.Entry<String, String> e : resp.headers()) {
      String n = e.getKey().toLowerCase(java.util.Locale.ROOT);
      if (n.isEmpty() || n.charAt(0) == ':') {
        continue;
      }
      headers.add(n, e.getValue());
    }
    resp.exceptionHandler(this::onStreamError);
    resp.handler(buf -> {
      if (cancelled || done) {
        return;
      }
      cluster.stats().upstreamCxRxBytesTotal.add(buf.length());
      flushHeldHeaders(false);
      listener.onUpstreamData(this, BodyBuffer.wrap(buf.getBytes()), false);
    });
    resp.endHandler(v -> {
      if (cancelled || done) {
        return;
      }
      MultiMap t = resp.trailers();
      if (t != null && !t.isEmpty()) {
        flushHeldHeaders(false);
        HeaderMap trailers = HeaderMap.create();
        for (Map.Entry<String, String> e : t) {
          trailers.add(e.getKey(), e.getValue());
        }
        finish(true);
        listener.onUpstreamTrailers(this, trailers);
      } else if (heldHeaders != null) {
        // Headers and end arrived together (e.g. a gRPC trailers-only response): one event.
        HeaderMap h = heldHeaders;
        heldHeaders = null;
        finish(true);
        listener.onUpstreamHeaders(this, h, true);
      } else {
        finish(true);
        listener.onUpstreamData(this, BodyBuffer.create(), true);
      }
    });
    // Envoy's codec reports end_stream with the headers when the response has no body; Vert.x
    // reports the end separately, so hold the headers for one turn to learn it.
    heldHeaders = headers;
    io.vertx.core.Vertx.currentContext().runOnContext(v -> flushHeldHeaders(false));
  }

  private void flushHeldHeaders(boolean end) {
    if (heldHeaders == null || cancelled || done && !end) {
      return;
    }
    HeaderMap h = heldHeaders;
    heldHeaders = null;
    listener.onUpstreamHeaders(this, h, end);
  }

  private void onStreamError(Throwable t) {
    if (cancelled || done) {
      return;
    }
    RetryState.ResetReason reason;
    if (t instanceof StreamResetException sre) {
      reason = sre.getCode() == 7 ? RetryState.ResetReason.REMOTE_REFUSED_STREAM : RetryState.ResetReason.REMOTE_RESET;
      cluster.stats().upstreamRqRxReset.inc();
    } else if (t instanceof HttpClosedException) {
      reason = RetryState.ResetReason.CONNECTION_TERMINATION;
    } else {
      reason = RetryState.ResetReason.CONNECTION_TERMINATION;
    }
    fail(reason, "");
  }

  private void fail(RetryState.ResetReason reason, String transportFailure) {
    if (done) {
      return;
    }
    finish(false);
    listener.onUpstreamReset(this, reason, transportFailure);
  }

  /** Pauses or resumes reading the upstream response (downstream flow control). */
  void setReadPaused(boolean pause) {
    if (paused == pause) {
      return;
    }
    paused = pause;
    if (response == null) {
      return; // applied when the response arrives
    }
    if (pause) {
      response.pause();
    } else {
      response.resume();
    }
  }

  /** Abandons the attempt (downstream gone, timeout, or another attempt won). */
  void cancel() {
    if (cancelled) {
      return;
    }
    cancelled = true;
    if (!done) {
      if (request == null) {
        cluster.stats().upstreamRqCancelled.inc();
      } else {
        cluster.stats().upstreamRqTxReset.inc();
        try {
          request.reset();
        } catch (RuntimeException ignored) {
          // The stream may already be gone.
        }
      }
      finish(false);
    }
  }

  private void finish(boolean success) {
    if (done) {
      return;
    }
    done = true;
    leavePending();
    if (holdsRequestSlot) {
      holdsRequestSlot = false;
      cluster.resources().requests().release();
      cluster.stats().upstreamRqActive.dec();
      cluster.stats().cbRqOpen.set(0);
      host.onRequestEnd(success);
    }
  }

  static RetryState.ResetReason classifyConnectFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectTimeoutException || c.getClass().getSimpleName().contains("ConnectTimeout")) {
        return RetryState.ResetReason.CONNECTION_TIMEOUT;
      }
      if (c instanceof ConnectException) {
        return RetryState.ResetReason.CONNECTION_FAILURE;
      }
      if (c.getClass().getSimpleName().equals("ConnectionPoolTooBusyException")) {
        return RetryState.ResetReason.OVERFLOW;
      }
      if (c instanceof HttpClosedException) {
        return RetryState.ResetReason.CONNECTION_TERMINATION;
      }
    }
    return RetryState.ResetReason.CONNECTION_FAILURE;
  }

  /** Envoy-style transport failure text, e.g. {@code delayed connect error: Connection refused}. */
  static String transportFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectTimeoutException) {
        return "";
      }
      if (c instanceof ConnectException) {
        String m = c.getMessage() == null ? "" : c.getMessage();
        int colon = m.indexOf(':');
        return "delayed connect error: " + (colon > 0 ? m.substring(0, colon) : m);
      }
    }
    return "";
  }
}
