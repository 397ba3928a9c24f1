package dev.xdsdp.dataplane.http;

import dev.xdsdp.api.accesslog.AccessLogger;
import dev.xdsdp.api.filter.FilterDispatcher;
import dev.xdsdp.api.filter.RouteSpecificConfig;
import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.LocalReply;
import dev.xdsdp.api.http.Protocol;
import dev.xdsdp.api.http.RouteView;
import dev.xdsdp.api.stream.ResponseFlag;
import dev.xdsdp.dataplane.router.RouteEntry;
import dev.xdsdp.dataplane.router.RouteMatcher;
import dev.xdsdp.xds.resource.listener.HcmConfig;
import dev.xdsdp.xds.resource.route.RouteTableConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One downstream HTTP stream (Envoy's {@code ConnectionManagerImpl::ActiveStream}): turns the Vert.x
 * request into Envoy-style headers and body events, runs them through the {@link FilterManager},
 * writes what the filters produce back to the client, and on completion records stats and access
 * logs. Lives on its connection's event loop.
 */
final class ActiveStream implements FilterManager.StreamSink {

  private static final System.Logger LOG = System.getLogger("http");

  /** Filter-state key telling the router whether the request came from a trusted (internal) peer. */
  public static final String INTERNAL_REQUEST_KEY = "xdsdp.internal_request";

  private final HttpConnectionManager hcm;
  private final HcmConfig config;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final DownstreamConnection connection;
  private final long streamId;
  private final StreamInfoImpl info;
  private final boolean http2;
  private FilterManager filterManager;
  private FilterChainFactory.StreamFilters streamFilters;
  private RouteTableConfig routeTable;
  private RouteEntry route;
  private boolean routeCached;
  private boolean requestEnded;
  private boolean headersDispatched;
  private boolean completed;
  private int readDisabled;
  /** The response write queue is full; the upstream stays paused until it drains. */
  private boolean writeQueueAboveHigh;
  /** This HTTP/1.1 response said {@code connection: close}: the connection closes after it. */
  private boolean closeConnectionAfterResponse;
  private FilterDispatcher.Cancellable idleTimer;
  /** When the stream idle timeout expires unless more activity moves it (System.nanoTime). */
  private long idleDeadlineNanos;
  /** The connection manager's stream_idle_timeout in nanoseconds (0: none), read once per stream. */
  private long idleTimeoutNanos = -1;
  private FilterDispatcher.Cancellable requestTimer;

  ActiveStream(HttpConnectionManager hcm, HttpServerRequest request, DownstreamConnection connection, long streamId) {
    this.hcm = hcm;
    this.config = hcm.config();
    this.request = request;
    this.response = request.response();
    this.connection = connection;
    this.streamId = streamId;
    this.http2 = request.version() == HttpVersion.HTTP_2;
    Protocol protocol = switch (request.version()) {
      case HTTP_1_0 -> Protocol.HTTP_1_0;
      case HTTP_2 -> Protocol.HTTP_2;
      default -> Protocol.HTTP_1_1;
    };
    this.info = new StreamInfoImpl(protocol, connection.id(), hcm.listenerName(), connection.remote(),
        connection.local(), "");
  }

  void start() {
    HcmStats stats = hcm.stats();
    connection.onStreamStart();
    stats.downstreamRqTotal.inc();
    stats.downstreamRqActive.inc();
    (http2 ? stats.downstreamRqHttp2Total : stats.downstreamRqHttp1Total).inc();
    routeTable = hcm.currentRoutes();

    response.closeHandler(v -> onDownstreamReset());
    response.exceptionHandler(e -> onDownstreamReset());
    request.exceptionHandler(e -> onDownstreamReset());

    HeaderMap headers = requestHeaders();
    info.setRequestHeaders(headers);
    String error = validate(headers);
    if (error != null) {
      // Codec-level rejections happen before the filter chain exists, as in Envoy.
      filterManager = new FilterManager(List.of(), List.of(), this, info, connection.dispatcher(), streamId, 0);
      filterManager.decodeHeaders(headers, true);
      sendEarlyError(error);
      return;
    }
    HeaderSanitizer.Result sanitized = HeaderSanitizer.mutateRequest(headers, config, connection.remote());
    info.setDownstreamRemoteAddress(sanitized.remoteAddress());
    info.filterState().put(INTERNAL_REQUEST_KEY, sanitized.internal());
    String rid = headers.get("x-request-id");
    info.setRequestId(rid == null ? "" : rid);

    streamFilters = hcm.filterChain().createFilters();
    filterManager = new FilterManager(streamFilters.filters(), hcm.filterChain().names(), this, info, connection.dispatcher(),
        streamId, hcm.bufferLimit());
    armTimers();

    request.handler(this::onData);
    request.endHandler(v -> onEnd());

    if (!http2) {
      boolean noBody = !hasBody(headers);
      dispatchHeaders(headers, noBody);
    } else {
      // HTTP/2 tells end of stream separately from the headers: give it one turn to arrive so a
      // header-only request is seen with end_stream, as Envoy's codec reports it.
      connection.dispatcher().post(() -> {
        if (!headersDispatched && !completed) {
          dispatchHeaders(headers, false);
        }
      });
    }
  }

  private void dispatchHeaders(HeaderMap headers, boolean endStream) {
    headersDispatched = true;
    if (endStream) {
      requestEnded = true;
    }
    filterManager.decodeHeaders(headers, endStream);
  }

  private static boolean hasBody(HeaderMap headers) {
    String cl = headers.get("content-length");
    if (cl != null) {
      return !cl.trim().equals("0");
    }
    String te = headers.get("transfer-encoding");
    return te != null && te.toLowerCase(java.util.Locale.ROOT).contains("chunked");
  }

  private void onData(Buffer buf) {
    if (completed) {
      return;
    }
    resetIdleTimer();
    if (!headersDispatched) {
      dispatchHeaders(filterManager.requestHeaders() != null ? filterManager.requestHeaders() : info.requestHeaders(), false);
    }
    if (buf.length() == 0) {
      return;
    }
    filterManager.decodeData(BodyBuffer.wrap(buf.getBytes()), false);
  }

  private void onEnd() {
    if (completed) {
      return;
    }
    if (!headersDispatched) {
      dispatchHeaders(info.requestHeaders(), true);
      return;
    }
    if (requestEnded) {
      return;
    }
    requestEnded = true;
    if (requestTimer != null) {
      requestTimer.cancel();
    }
    filterManager.decodeData(BodyBuffer.create(), true);
  }

  // ---------------------------------------------------------------------------------------------
  // Request header construction and validation.

  private HeaderMap requestHeaders() {
    HeaderMap h = HeaderMap.create();
    h.add(":method", request.method().name());
    String uri = request.uri();
    String authority;
    if (http2) {
      authority = request.authority() == null ? null : request.authority().toString();
    } else {
      authority = request.getHeader("host");
    }
    String lower = uri.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      // Absolute-form request target (proxy style): authority and path come from the URL.
      int start = uri.indexOf("//") + 2;
      int slash = uri.indexOf('/', start);
      authority = slash < 0 ? uri.substring(start) : uri.substring(start, slash);
      uri = slash < 0 ? "/" : uri.substring(slash);
    }
    if (authority == null && request.version() == HttpVersion.HTTP_1_0 && !config.defaultHostForHttp10().isEmpty()) {
      authority = config.defaultHostForHttp10();
    }
    if (authority != null) {
      if (config.stripAnyHostPort()) {
        authority = RouteTableConfig.stripPort(authority);
      }
      h.add(":authority", authority);
    }
    h.add(":path", uri);
    h.add(":scheme", request.scheme() == null ? "http" : request.scheme());
    MultiMap vh = request.headers();
    for (Map.Entry<String, String> e : vh) {
      String name = e.getKey();
      if (name.isEmpty() || name.charAt(0) == ':' || name.equalsIgnoreCase("host")) {
        continue;
      }
      h.add(name, e.getValue());
    }
    return h;
  }

  private String validate(HeaderMap headers) {
    if (request.version() == HttpVersion.HTTP_1_0 && !config.acceptHttp10()) {
      return "426";
    }
    if (headers.authority() == null || headers.authority().isEmpty()) {
      return "400";
    }
    if (headers.size() > config.maxHeadersCount() + 4) {
      return "431";
    }
    String path = headers.path();
    if (path == null || path.isEmpty() || (path.charAt(0) != '/' && !path.equals("*"))) {
      hcm.stats().downstreamRqNonRelativePath.inc();
      return "404-path";
    }
    return null;
  }

  private void sendEarlyError(String error) {
    switch (error) {
      case "426" -> filterManager.sendLocalReply(LocalReply.of(426, "Upgrade Required", "low_version"));
      case "400" -> filterManager.sendLocalReply(LocalReply.of(400, "missing host header", "missing_host_header"));
      case "431" -> filterManager.sendLocalReply(LocalReply.of(431, "Request Header Fields Too Large", "too_many_headers"));
      default -> filterManager.sendLocalReply(LocalReply.of(404, "", "absolute_path_rejected"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Timers.

  private void armTimers() {
    resetIdleTimer();
    Duration rt = config.requestTimeout();
    if (!rt.isZero()) {
      requestTimer = connection.dispatcher().schedule(rt, () -> {
        if (!completed && !requestEnded) {
          hcm.stats().downstreamRqTimeout.inc();
          timeoutReply(408, "request timeout", "request_overall_timeout", null);
        }
      });
    }
  }

  /**
   * Notes stream activity for the idle timeout. Activity only moves a deadline: the one armed
   * timer, when it fires early, re-arms itself for the remainder. Cancelling and scheduling a
   * loop timer on every header and data frame cost more than the rest of the timeout logic.
   */
  private void resetIdleTimer() {
    if (idleTimeoutNanos < 0) {
      idleTimeoutNanos = config.streamIdleTimeout().toNanos();
    }
    if (idleTimeoutNanos == 0 || completed) {
      return;
    }
    idleDeadlineNanos = System.nanoTime() + idleTimeoutNanos;
    if (idleTimer == null) {
      armIdleTimer(idleTimeoutNanos);
    }
  }

  private void armIdleTimer(long delayNanos) {
    // Rounded up: a timer that fires a little late is harmless, one that fires early re-arms.
    Duration delay = Duration.ofMillis(Math.max(1, (delayNanos + 999_999) / 1_000_000));
    idleTimer = connection.dispatcher().schedule(delay, () -> {
      idleTimer = null;
      if (completed) {
        return;
      }
      long remaining = idleDeadlineNanos - System.nanoTime();
      if (remaining > 0) {
        armIdleTimer(remaining);
        return;
      }
      hcm.stats().downstreamRqIdleTimeout.inc();
      timeoutReply(408, "stream timeout", "stream_idle_timeout", ResponseFlag.STREAM_IDLE_TIMEOUT);
    });
  }

  private void timeoutReply(int status, String body, String details, ResponseFlag flag) {
    if (flag != null) {
      info.addResponseFlag(flag);
    }
    if (filterManager.isResponseStarted()) {
      info.setResponseCodeDetails(details);
      filterManager.resetStream();
    } else {
      filterManager.sendLocalReply(LocalReply.of(status, body, details));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // StreamSink: what leaves the filter chain towards the client.

  @Override
  public void writeHeaders(HeaderMap headers, boolean endStream) {
    if (completed) {
      return;
    }
    resetIdleTimer();
    int status = headers.status();
    info.setResponseCode(status);
    HeaderSanitizer.mutateResponse(headers, config, info.requestId());
    info.setResponseHeaders(headers);
    response.setStatusCode(status == 0 ? 500 : status);
    MultiMap out = response.headers();
    boolean hasLength = false;
    for (Map.Entry<String, String> e : headers.entries()) {
      String n = e.getKey();
      if (n.charAt(0) == ':') {
        continue;
      }
      if (n.equals("content-length")) {
        hasLength = true;
      }
      out.add(n, e.getValue());
    }
    if (!http2 && connection.draining()) {
      out.set("connection", "close");
      closeConnectionAfterResponse = true;
      connection.announceClose(); // before end(): Vert.x hands over a pipelined request inside it
    }
    if (endStream) {
      closeIfAnnounced(response.end());
      onResponseComplete();
      return;
    }
    if (!http2 && !hasLength) {
      response.setChunked(true);
    }
    response.writeHead();
    response.drainHandler(v -> {
      if (writeQueueAboveHigh) {
        writeQueueAboveHigh = false;
        filterManager.onBelowWriteBufferLowWatermark();
      }
    });
  }

  @Override
  public void writeData(BodyBuffer data, boolean endStream) {
    if (completed) {
      return;
    }
    resetIdleTimer();
    Buffer buf = data.isEmpty() ? null : Buffer.buffer(data.toByteArray());
    if (endStream) {
      closeIfAnnounced(buf == null ? response.end() : response.end(buf));
      onResponseComplete();
      return;
    }
    if (buf != null) {
      response.write(buf);
      if (!writeQueueAboveHigh && response.writeQueueFull()) {
        writeQueueAboveHigh = true;
        filterManager.onAboveWriteBufferHighWatermark();
      }
    }
  }

  @Override
  public void writeTrailers(HeaderMap trailers) {
    if (completed) {
      return;
    }
    info.setResponseTrailers(trailers);
    for (Map.Entry<String, String> e : trailers.entries()) {
      response.trailers().add(e.getKey(), e.getValue());
    }
    closeIfAnnounced(response.end());
    onResponseComplete();
  }

  /**
   * Closes the HTTP/1.1 connection once a response that said {@code connection: close} (a drain)
   * is written, as Envoy does; Vert.x itself closes only when the request asked for it.
   */
  private void closeIfAnnounced(Future<Void> written) {
    if (closeConnectionAfterResponse) {
      HttpConnection conn = request.connection();
      written.onComplete(ar -> conn.close());
    }
  }

  @Override
  public void resetStream() {
    if (completed) {
      return;
    }
    hcm.stats().downstreamRqTxReset.inc();
    info.addResponseFlag(ResponseFlag.LOCAL_RESET);
    try {
      response.reset();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "reset of stream {0} failed: {1}", streamId, e.toString());
    }
    complete();
  }

  @Override
  public void setReadDisabled(boolean disabled) {
    if (disabled) {
      if (readDisabled++ == 0) {
        request.pause();
      }
    } else if (readDisabled > 0 && --readDisabled == 0) {
      request.resume();
    }
  }

  @Override
  public RouteView route() {
    if (!routeCached) {
      routeCached = true;
      HeaderMap headers = filterManager.requestHeaders();
      route = headers == null ? null : RouteMatcher.match(routeTable, headers);
      if (route != null) {
        info.setRouteName(route.name());
        info.setVirtualHostName(route.virtualHostName());
      }
    }
    return route;
  }

  @Override
  public void clearRouteCache() {
    routeCached = false;
    route = null;
  }

  @Override
  public RouteSpecificConfig perRouteConfig(String filterName) {
    RouteView r = route();
    return r instanceof RouteEntry e ? e.perFilterConfig(filterName) : null;
  }

  @Override
  public HeaderMap localReplyHeaders(LocalReply reply, HeaderMap requestHeaders) {
    return LocalReplies.headers(reply, requestHeaders);
  }

  // ---------------------------------------------------------------------------------------------
  // Completion.

  private void onResponseComplete() {
    if (!requestEnded) {
      // The response finished first (e.g. a local reply): the rest of the request is not wanted.
      requestEnded = true;
    }
    complete();
  }

  private void onDownstreamReset() {
    if (completed) {
      return;
    }
    hcm.stats().downstreamRqRxReset.inc();
    if (!filterManager.isResponseComplete()) {
      info.addResponseFlag(ResponseFlag.DOWNSTREAM_CONNECTION_TERMINATION);
    }
    complete();
  }

  private void complete() {
    if (completed) {
      return;
    }
    completed = true;
    if (readDisabled > 0) {
      // Nothing reads this request any more: let Vert.x take (and drop) the rest, so that an
      // HTTP/1.1 connection can go on to its next request.
      readDisabled = 0;
      request.resume();
    }
    if (idleTimer != null) {
      idleTimer.cancel();
    }
    if (requestTimer != null) {
      requestTimer.cancel();
    }
    info.onRequestComplete();
    if (filterManager != null) {
      filterManager.onStreamComplete();
    }
    HcmStats stats = hcm.stats();
    stats.downstreamRqActive.dec();
    if (info.responseCode() > 0) {
      stats.onResponseCode(info.responseCode());
    }
    if (filterManager != null && filterManager.isResponseComplete()) {
      stats.onCompleted();
    }
    stats.downstreamRqTime.record(info.requestCompleteNanos() / 1_000_000);
    HeaderMap trailers = filterManager == null ? null : filterManager.responseTrailers();
    for (AccessLogger log : hcm.accessLogs()) {
      try {
        log.log(info.requestHeaders(), info.responseHeaders(), trailers, info);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "access log failed: " + e, e);
      }
    }
    if (filterManager != null) {
      filterManager.destroy();
    }
    if (streamFilters != null) {
      streamFilters.release();
    }
    connection.onStreamEnd();
  }
}
