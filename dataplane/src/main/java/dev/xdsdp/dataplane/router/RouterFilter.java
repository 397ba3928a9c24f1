package dev.xdsdp.dataplane.router;

import dev.xdsdp.api.filter.FilterDispatcher;
import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.http.DecoderFilterCallbacks;
import dev.xdsdp.api.http.FilterDataStatus;
import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.api.http.FilterTrailersStatus;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.HttpFilter;
import dev.xdsdp.api.http.LocalReply;
import dev.xdsdp.api.http.Protocol;
import dev.xdsdp.api.http.RouteView;
import dev.xdsdp.api.http.WatermarkCallbacks;
import dev.xdsdp.api.stream.ResponseFlag;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.dataplane.upstream.Cluster;
import dev.xdsdp.dataplane.upstream.ClusterManager;
import dev.xdsdp.dataplane.upstream.Host;
import dev.xdsdp.xds.resource.route.DirectResponseAction;
import dev.xdsdp.xds.resource.route.ForwardAction;
import dev.xdsdp.xds.resource.route.RedirectAction;
import dev.xdsdp.xds.resource.route.RouteTableConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code envoy.filters.http.router}: the terminal filter. Answers direct responses and redirects,
 * picks the cluster and host, sends the request upstream (retrying as the route's policy says),
 * enforces the route timeout, and streams the response back through the encoder filters.
 */
final class RouterFilter implements HttpFilter, UpstreamRequest.Listener, WatermarkCallbacks {

  private final RouterConfig config;
  private final RouterStats stats;
  private final ClusterManager clusters;
  private final HeaderMutator mutator;
  private DecoderFilterCallbacks callbacks;

  private RouteEntry route;
  private ForwardAction action;
  private Cluster cluster;
  private HeaderMap upstreamHeaders;
  private HeaderMap downstreamHeaders;
  private RetryState retry;
  private UpstreamRequest attempt;
  private BodyBuffer retryBuffer;
  private boolean retryBufferOverflowed;
  private boolean downstreamEnded;
  private boolean downstreamResponseStarted;
  private boolean finished;
  private Duration timeout = Duration.ZERO;
  private Duration perTryTimeout = Duration.ZERO;
  private FilterDispatcher.Cancellable globalTimer;
  private FilterDispatcher.Cancellable perTryTimer;
  private FilterDispatcher.Cancellable retryTimer;
  private boolean downstreamWatermarked;
  /** The client is paused because the current attempt's write queue to the upstream is full. */
  private boolean pausedForUpstreamQueue;
  private final List<String> resetHistory = new ArrayList<>(1);

  RouterFilter(RouterConfig config, RouterStats stats, ClusterManager clusters, HeaderMutator mutator) {
    this.config = config;
    this.stats = stats;
    this.clusters = clusters;
    this.mutator = mutator;
  }

  @Override
  public void setDecoderFilterCallbacks(DecoderFilterCallbacks callbacks) {
    this.callbacks = callbacks;
  }

  @Override
  public FilterHeadersStatus decodeHeaders(HeaderMap headers, boolean endStream) {
    downstreamHeaders = headers;
    downstreamEnded = endStream;
    StreamInfo info = callbacks.streamInfo();
    RouteView rv = callbacks.route();
    if (!(rv instanceof RouteEntry r) || r.route().action() instanceof dev.xdsdp.xds.resource.route.NonForwardingAction) {
      stats.noRoute.inc();
      info.addResponseFlag(ResponseFlag.NO_ROUTE_FOUND);
      callbacks.sendLocalReply(LocalReply.of(404, "", "route_not_found"));
      return FilterHeadersStatus.STOP_ITERATION;
    }
    route = r;
    if (r.route().action() instanceof DirectResponseAction d) {
      stats.rqDirectResponse.inc();
      callbacks.sendLocalReply(withResponseHeaders(LocalReply.of(d.status(), d.body(), "direct_response")));
      return FilterHeadersStatus.STOP_ITERATION;
    }
    if (r.route().action() instanceof RedirectAction redirect) {
      stats.rqRedirect.inc();
      String location = Redirects.location(redirect, headers, r);
      LocalReply reply = LocalReply.of(redirect.responseCode(), "", "direct_response")
          .withHeaders(List.of(new LocalReply.Header("location", location)));
      callbacks.sendLocalReply(withResponseHeaders(reply));
      return FilterHeadersStatus.STOP_ITERATION;
    }
    action = (ForwardAction) r.route().action();
    stats.rqTotal.inc();
    cluster = r.clusterName() == null || r.clusterName().isEmpty() ? null : clusters.get(r.clusterName());
    if (cluster == null) {
      stats.noCluster.inc();
      info.addResponseFlag(ResponseFlag.NO_CLUSTER_FOUND);
      callbacks.sendLocalReply(LocalReply.of(action.clusterNotFoundResponseCode(), "", "cluster_not_found"));
      return FilterHeadersStatus.STOP_ITERATION;
    }
    info.setUpstreamClusterName(cluster.name());

    upstreamHeaders = headers.copy();
    computeTimeouts(upstreamHeaders);
    rewrite(upstreamHeaders, r);
    mutator.applyRequest(r, upstreamHeaders, info);
    if (!Boolean.TRUE.equals(info.filterState().get("xdsdp.internal_request"))) {
      for (String h : r.table().internalOnlyHeaders()) {
        upstreamHeaders.remove(h);
      }
    }
    if (!config.suppressEnvoyHeaders() && !timeout.isZero()) {
      Duration expected = perTryTimeout.isZero() ? timeout : perTryTimeout;
      upstreamHeaders.set("x-envoy-expected-rq-timeout-ms", Long.toString(expected.toMillis()));
    }
    retry = new RetryState(action.retryPolicy(), cluster);
    if (retry.enabled()) {
      retryBuffer = BodyBuffer.create();
    }
    callbacks.addDownstreamWatermarkCallbacks(this);
    if (endStream) {
      onDownstreamComplete();
    }
    startAttempt();
    return FilterHeadersStatus.STOP_ITERATION;
  }

  private boolean internalRequest() {
    return Boolean.TRUE.equals(callbacks.streamInfo().filterState().get("xdsdp.internal_request"));
  }

  private LocalReply withResponseHeaders(LocalReply reply) {
    HeaderMap extra = HeaderMap.create();
    mutator.applyResponse(route, extra, downstreamHeaders, callbacks.streamInfo());
    if (extra.isEmpty()) {
      return reply;
    }
    List<LocalReply.Header> all = new ArrayList<>(reply.headers());
    extra.forEach((n, v) -> all.add(new LocalReply.Header(n, v)));
    return reply.withHeaders(all);
  }

  private void computeTimeouts(HeaderMap h) {
    timeout = action.timeout();
    perTryTimeout = action.retryPolicy() == null ? Duration.ZERO : action.retryPolicy().perTryTimeout();
    String override = h.get("x-envoy-upstream-rq-timeout-ms");
    if (override != null) {
      try {
        timeout = Duration.ofMillis(Long.parseLong(override.trim()));
      } catch (NumberFormatException ignored) {
        // Envoy ignores a malformed override.
      }
      h.remove("x-envoy-upstream-rq-timeout-ms");
    }
    String perTry = h.get("x-envoy-upstream-rq-per-try-timeout-ms");
    if (perTry != null) {
      try {
        perTryTimeout = Duration.ofMillis(Long.parseLong(perTry.trim()));
      } catch (NumberFormatException ignored) {
        // Ignored as above.
      }
      h.remove("x-envoy-upstream-rq-per-try-timeout-ms");
    }
    if (action.grpcTimeoutHeaderMaxSet()) {
      Duration grpc = GrpcTimeout.parse(h.get("grpc-timeout"));
      if (grpc != null) {
        if (!action.grpcTimeoutHeaderMax().isZero() && grpc.compareTo(action.grpcTimeoutHeaderMax()) > 0) {
          grpc = action.grpcTimeoutHeaderMax();
        }
        grpc = grpc.minus(action.grpcTimeoutHeaderOffset());
        timeout = grpc.isNegative() ? Duration.ofMillis(1) : grpc;
      }
    }
    if (!perTryTimeout.isZero() && !timeout.isZero() && perTryTimeout.compareTo(timeout) >= 0) {
      perTryTimeout = Duration.ZERO;
    }
  }

  private void rewrite(HeaderMap h, RouteEntry r) {
    String path = h.path();
    String newPath = path;
    if (action.prefixRewrite() != null) {
      int len = r.route().match().path().prefixLength();
      if (r.route().match().path().kind() == dev.xdsdp.xds.resource.route.PathMatch.Kind.PATH) {
        len = RouteMatcher.pathWithoutQuery(path).length();
      }
      newPath = action.prefixRewrite() + path.substring(Math.min(len, path.length()));
    } else if (action.regexRewrite() != null) {
      String only = RouteMatcher.pathWithoutQuery(path);
      newPath = action.regexRewrite().replaceAll(only, action.regexSubstitution()) + path.substring(only.length());
    }
    if (!newPath.equals(path)) {
      if (!config.suppressEnvoyHeaders()) {
        h.set("x-envoy-original-path", path);
      }
      h.set(":path", newPath);
    }
    String originalHost = h.authority();
    String newHost = null;
    if (r.weightedCluster() != null && r.weightedCluster().hostRewriteLiteral() != null) {
      newHost = r.weightedCluster().hostRewriteLiteral();
    } else if (action.hostRewriteLiteral() != null) {
      newHost = action.hostRewriteLiteral();
    } else if (action.hostRewriteHeader() != null) {
      newHost = h.get(action.hostRewriteHeader());
    } else if (action.hostRewritePathRegex() != null) {
      newHost = action.hostRewritePathRegex().replaceAll(RouteMatcher.pathWithoutQuery(path), action.hostRewritePathSubstitution());
    }
    if (newHost != null && !newHost.isEmpty()) {
      h.set(":authority", newHost);
      if (action.appendXForwardedHost() && originalHost != null) {
        appendXForwardedHost(h, originalHost);
      }
    }
  }

  private static void appendXForwardedHost(HeaderMap h, String host) {
    String existing = h.get("x-forwarded-host");
    h.set("x-forwarded-host", existing == null ? host : existing + "," + host);
  }

  @Override
  public FilterDataStatus decodeData(BodyBuffer data, boolean endStream) {
    if (finished || attempt == null && retryTimer == null) {
      return FilterDataStatus.STOP_ITERATION_NO_BUFFER;
    }
    if (retryBuffer != null && !retryBufferOverflowed) {
      if (retryBuffer.length() + data.length() > callbacks.decoderBufferLimit()) {
        // Too much body to replay: Envoy gives up on retries rather than buffer without bound.
        retryBufferOverflowed = true;
        retryBuffer = null;
        if (attempt == null) {
          // Waiting out a retry's backoff: the body so far exists nowhere else, so the retry could
          // only send part of it. Envoy answers 507.
          finishWithLocalReply(LocalReply.of(507, "exceeded request buffer limit while retrying upstream",
              "request_payload_exceeded_retry_buffer_limit"));
          return FilterDataStatus.STOP_ITERATION_NO_BUFFER;
        }
      } else {
        retryBuffer.append(data.toByteArray());
      }
    }
    if (endStream) {
      onDownstreamComplete();
    }
    if (attempt != null) {
      attempt.sendData(data, endStream);
    }
    return FilterDataStatus.STOP_ITERATION_NO_BUFFER;
  }

  @Override
  public FilterTrailersStatus decodeTrailers(HeaderMap trailers) {
    // Request trailers cannot be forwarded by the upstream client; end the request without them.
    onDownstreamComplete();
    if (attempt != null) {
      attempt.sendData(BodyBuffer.create(), true);
    }
    return FilterTrailersStatus.STOP_ITERATION;
  }

  private void onDownstreamComplete() {
    if (downstreamEnded && globalTimer != null) {
      return;
    }
    downstreamEnded = true;
    callbacks.streamInfo().onLastUpstreamTxByteSent();
    if (!timeout.isZero() && globalTimer == null) {
      globalTimer = callbacks.dispatcher().schedule(timeout, this::onGlobalTimeout);
    }
    if (attempt != null && !perTryTimeout.isZero() && perTryTimer == null) {
      armPerTryTimer();
    }
  }

  private void armPerTryTimer() {
    UpstreamRequest current = attempt;
    perTryTimer = callbacks.dispatcher().schedule(perTryTimeout, () -> onPerTryTimeout(current));
  }

  private void startAttempt() {
    retryTimer = null;
    StreamInfo info = callbacks.streamInfo();
    if (cluster.isClosed()) {
      // Replaced by CDS since this stream chose it (or since the last attempt): use the new one,
      // as Envoy's workers see the cluster update. Removed: Envoy's retry finds no cluster and
      // answers "no healthy upstream".
      Cluster current = clusters.get(cluster.name());
      if (current == null) {
        info.addResponseFlag(ResponseFlag.NO_HEALTHY_UPSTREAM);
        finishWithLocalReply(LocalReply.of(503, "no healthy upstream", "no_healthy_upstream"));
        return;
      }
      cluster = current;
    }
    Host host = cluster.chooseHost();
    if (host == null) {
      info.addResponseFlag(ResponseFlag.NO_HEALTHY_UPSTREAM);
      finishWithLocalReply(LocalReply.of(503, "no healthy upstream", "no_healthy_upstream"));
      return;
    }
    retry.onAttempt();
    info.setAttemptCount(retry.attempts());
    info.setUpstreamHost(host.address());
    if (route.virtualHost().includeRequestAttemptCount()) {
      upstreamHeaders.set("x-envoy-attempt-count", Integer.toString(retry.attempts()));
    }
    if (action.autoHostRewrite() && !host.hostname().isEmpty()) {
      upstreamHeaders.set(":authority", host.hostname());
    }
    boolean http2 = cluster.useHttp2(info.protocol() == Protocol.HTTP_2);
    attempt = new UpstreamRequest(this, cluster, host, http2);
    if (downstreamWatermarked) {
      // The client is not reading the response: the new attempt's starts paused.
      attempt.setReadPaused(true);
    }
    info.onFirstUpstreamTxByteSent();
    // A retry replays the body received so far; later chunks follow through decodeData.
    boolean replayBody = retry.attempts() > 1 && retryBuffer != null && !retryBuffer.isEmpty();
    attempt.start(upstreamHeaders, downstreamEnded && !replayBody);
    if (replayBody) {
      attempt.sendData(BodyBuffer.wrap(retryBuffer.toByteArray()), downstreamEnded);
    }
    if (downstreamEnded && !perTryTimeout.isZero() && attempt != null) {
      if (perTryTimer != null) {
        perTryTimer.cancel();
      }
      armPerTryTimer();
    }
  }

  // UpstreamRequest.Listener

  @Override
  public void onUpstreamReset(UpstreamRequest a, RetryState.ResetReason reason, String transportFailure) {
    if (a != attempt || finished) {
      return;
    }
    cancelPerTry();
    StreamInfo info = callbacks.streamInfo();
    if (!transportFailure.isEmpty()) {
      info.setUpstreamTransportFailureReason(transportFailure);
    }
    if (downstreamResponseStarted) {
      // The client already has part of the response: all Envoy can do is reset.
      info.addResponseFlag(reason == RetryState.ResetReason.CONNECTION_TERMINATION
          ? ResponseFlag.UPSTREAM_CONNECTION_TERMINATION : ResponseFlag.UPSTREAM_REMOTE_RESET);
      stats.rqResetAfterDownstreamResponseStarted.inc();
      finished = true;
      cleanup();
      callbacks.resetStream();
      return;
    }
    resetHistory.add(reasonText(reason));
    RetryState.Decision d = reason == RetryState.ResetReason.OVERFLOW || retryBuffer == null
        ? RetryState.Decision.NO_RETRY : retry.onReset(reason);
    if (d == RetryState.Decision.RETRY) {
      scheduleRetry();
      return;
    }
    if (d == RetryState.Decision.LIMIT_EXCEEDED) {
      cluster.stats().upstreamRqRetryLimitExceeded.inc();
      info.addResponseFlag(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
    }
    ResponseFlag flag = switch (reason) {
      case CONNECTION_FAILURE, CONNECTION_TIMEOUT -> ResponseFlag.UPSTREAM_CONNECTION_FAILURE;
      case CONNECTION_TERMINATION -> ResponseFlag.UPSTREAM_CONNECTION_TERMINATION;
      case REMOTE_RESET, REMOTE_REFUSED_STREAM -> ResponseFlag.UPSTREAM_REMOTE_RESET;
      case OVERFLOW -> ResponseFlag.UPSTREAM_OVERFLOW;
      case LOCAL_RESET -> ResponseFlag.LOCAL_RESET;
      case PER_TRY_TIMEOUT -> ResponseFlag.UPSTREAM_REQUEST_TIMEOUT;
    };
    info.addResponseFlag(flag);
    String text = reasonText(reason);
    String body = "upstream connect error or disconnect/reset before headers. "
        + (retry.attempts() > 1 ? "retried and the latest reset reason: " : "reset reason: ") + text
        + (transportFailure.isEmpty() ? "" : ", transport failure reason: " + transportFailure);
    String details = "upstream_reset_before_response_started{" + text.replace(' ', '_')
        + (transportFailure.isEmpty() ? "" : "|" + transportFailure.replace(' ', '_')) + "}";
    LocalReply reply = LocalReply.of(503, body, details);
    if (reason == RetryState.ResetReason.OVERFLOW) {
      reply = reply.withHeaders(List.of(new LocalReply.Header("x-envoy-overloaded", "true")));
    }
    finishWithLocalReply(reply);
  }

  static String reasonText(RetryState.ResetReason reason) {
    return switch (reason) {
      case CONNECTION_FAILURE -> "remote connection failure";
      case CONNECTION_TIMEOUT -> "connection timeout";
      case CONNECTION_TERMINATION -> "connection termination";
      case REMOTE_RESET -> "remote reset";
      case REMOTE_REFUSED_STREAM -> "remote refused stream reset";
      case OVERFLOW -> "overflow";
      case LOCAL_RESET -> "local reset";
      case PER_TRY_TIMEOUT -> "per try timeout";
    };
  }

  private void scheduleRetry() {
    attempt = null;
    releaseUpstreamQueuePause();
    Duration wait = retry.backoff();
    retryTimer = callbacks.dispatcher().schedule(wait, () -> {
      if (!finished) {
        startAttempt();
      }
    });
  }

  @Override
  public void onUpstreamHeaders(UpstreamRequest a, HeaderMap headers, boolean endStream) {
    if (a != attempt || finished) {
      return;
    }
    cancelPerTry();
    StreamInfo info = callbacks.streamInfo();
    info.onFirstUpstreamRxByteReceived();
    RetryState.Decision d = retry.onResponse(headers);
    if (d == RetryState.Decision.RETRY && retryBuffer != null) {
      a.cancel();
      scheduleRetry();
      return;
    }
    if (d == RetryState.Decision.LIMIT_EXCEEDED) {
      cluster.stats().upstreamRqRetryLimitExceeded.inc();
      info.addResponseFlag(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
    }
    int status = headers.status();
    cluster.stats().onResponseCode(status, internalRequest());
    if (!config.suppressEnvoyHeaders()) {
      long ms = (System.nanoTime() - a.startNanos()) / 1_000_000;
      headers.set("x-envoy-upstream-service-time", Long.toString(ms));
    }
    if (route.virtualHost().includeAttemptCountInResponse()) {
      headers.set("x-envoy-attempt-count", Integer.toString(retry.attempts()));
    }
    mutator.applyResponse(route, headers, downstreamHeaders, info);
    info.setResponseCodeDetails("via_upstream");
    downstreamResponseStarted = true;
    if (endStream) {
      onUpstreamComplete(a, status);
    }
    callbacks.encodeHeaders(headers, endStream);
  }

  @Override
  public void onUpstreamData(UpstreamRequest a, BodyBuffer data, boolean endStream) {
    if (a != attempt || finished) {
      return;
    }
    if (endStream) {
      onUpstreamComplete(a, -1);
    }
    callbacks.encodeData(data, endStream);
  }

  @Override
  public void onUpstreamTrailers(UpstreamRequest a, HeaderMap trailers) {
    if (a != attempt || finished) {
      return;
    }
    onUpstreamComplete(a, -1);
    callbacks.encodeTrailers(trailers);
  }

  private void onUpstreamComplete(UpstreamRequest a, int status) {
    StreamInfo info = callbacks.streamInfo();
    info.onLastUpstreamRxByteReceived();
    cluster.stats().onResponseTime((System.nanoTime() - a.startNanos()) / 1_000_000, internalRequest());
    retry.release(retry.attempts() > 1);
    finished = true;
    cleanup();
  }

  @Override
  public void onUpstreamWriteQueue(boolean full) {
    // Reported on every write while full, once when drained: pause the client once per episode.
    if (full == pausedForUpstreamQueue) {
      return;
    }
    pausedForUpstreamQueue = full;
    callbacks.setDownstreamReadDisabled(full);
  }

  /** An attempt that ends with its queue full never drains: let the client go. */
  private void releaseUpstreamQueuePause() {
    if (pausedForUpstreamQueue) {
      pausedForUpstreamQueue = false;
      callbacks.setDownstreamReadDisabled(false);
    }
  }

  // WatermarkCallbacks (downstream write queue)

  @Override
  public void onAboveWriteBufferHighWatermark() {
    downstreamWatermarked = true;
    if (attempt != null) {
      attempt.setReadPaused(true);
    }
  }

  @Override
  public void onBelowWriteBufferLowWatermark() {
    downstreamWatermarked = false;
    if (attempt != null) {
      attempt.setReadPaused(false);
    }
  }

  // Timeouts

  private void onGlobalTimeout() {
    if (finished) {
      return;
    }
    cluster.stats().upstreamRqTimeout.inc();
    StreamInfo info = callbacks.streamInfo();
    info.addResponseFlag(ResponseFlag.UPSTREAM_REQUEST_TIMEOUT);
    if (attempt != null) {
      attempt.cancel();
    }
    if (downstreamResponseStarted) {
      finished = true;
      cleanup();
      info.setResponseCodeDetails("upstream_response_timeout");
      callbacks.resetStream();
      return;
    }
    finishWithLocalReply(LocalReply.of(504, "upstream request timeout", "upstream_response_timeout"));
  }

  private void onPerTryTimeout(UpstreamRequest timedOut) {
    if (finished || timedOut != attempt || downstreamResponseStarted) {
      return;
    }
    cluster.stats().upstreamRqPerTryTimeout.inc();
    timedOut.cancel();
    RetryState.Decision d = retry.onReset(RetryState.ResetReason.PER_TRY_TIMEOUT);
    if (d == RetryState.Decision.RETRY && retryBuffer != null) {
      scheduleRetry();
      return;
    }
    callbacks.streamInfo().addResponseFlag(ResponseFlag.UPSTREAM_REQUEST_TIMEOUT);
    finishWithLocalReply(LocalReply.of(504, "upstream request timeout", "upstream_per_try_timeout"));
  }

  private void cancelPerTry() {
    if (perTryTimer != null) {
      perTryTimer.cancel();
      perTryTimer = null;
    }
  }

  private void finishWithLocalReply(LocalReply reply) {
    finished = true;
    cleanup();
    callbacks.sendLocalReply(reply);
  }

  private void cleanup() {
    if (globalTimer != null) {
      globalTimer.cancel();
    }
    cancelPerTry();
    if (retryTimer != null) {
      retryTimer.cancel();
      retryTimer = null;
    }
    if (retry != null) {
      retry.release(false);
    }
    callbacks.removeDownstreamWatermarkCallbacks(this);
    releaseUpstreamQueuePause();
  }

  @Override
  public void onDestroy() {
    if (!finished) {
      finished = true;
      if (attempt != null) {
        attempt.cancel();
      }
      if (callbacks != null && cluster != null) {
        cleanup();
      }
    }
  }

  /** Lower-cased copy of a header list for tests and logs. */
  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  RouteTableConfig table() {
    return route == null ? null : route.table();
  }
}
