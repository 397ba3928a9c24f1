package dev.xdsdp.dataplane.filters.tcpproxy;

import dev.xdsdp.api.accesslog.AccessLogger;
import dev.xdsdp.api.filter.FilterDispatcher;
import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.network.ConnectionEvent;
import dev.xdsdp.api.network.NetworkFilter;
import dev.xdsdp.api.network.NetworkFilterCallbacks;
import dev.xdsdp.api.network.NetworkFilterStatus;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.api.stream.ResponseFlag;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.dataplane.upstream.Cluster;
import dev.xdsdp.dataplane.upstream.ClusterManager;
import dev.xdsdp.dataplane.upstream.Host;
import dev.xdsdp.xds.resource.listener.TcpProxyConfig;
import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One connection's TCP proxy (Envoy's {@code TcpProxy::Filter}): picks the cluster (or a weighted
 * one), connects to a host with up to {@code max_connect_attempts} tries, then copies bytes both
 * ways with flow control, closes one side when the other closes, enforces the idle timeout and
 * the maximum connection duration, and writes the access logs when the connection is destroyed.
 *
 * <p>Downstream reads are disabled until the upstream is connected; bytes already read are kept
 * and sent first. Every method runs on the connection's event loop (the upstream socket is made
 * there too).
 */
final class TcpProxyFilter implements NetworkFilter {

  private static final System.Logger LOG = System.getLogger("filter");

  private final TcpProxyConfig config;
  private final ClusterManager clusters;
  private final TcpProxyStats stats;
  private NetworkFilterCallbacks callbacks;
  private String clusterName;
  private Cluster cluster;
  private Host host;
  private NetSocket upstream;
  private int attempts;
  private boolean connecting;
  private boolean resourceHeld;
  private boolean readDisabledForConnect;
  private boolean downstreamPaused;
  private boolean downstreamClosed;
  private boolean upstreamClosed;
  private final BodyBuffer early = BodyBuffer.create();
  private boolean earlyEnd;
  private long lastActivityNanos;
  private FilterDispatcher.Cancellable idleTimer;
  private FilterDispatcher.Cancellable durationTimer;

  TcpProxyFilter(TcpProxyConfig config, ClusterManager clusters, TcpProxyStats stats) {
    this.config = config;
    this.clusters = clusters;
    this.stats = stats;
  }

  @Override
  public void initialize(NetworkFilterCallbacks cb) {
    this.callbacks = cb;
    // Nothing to send bytes to until the upstream is connected.
    cb.readDisable(true);
    readDisabledForConnect = true;
    stats.downstreamCxTotal.inc();
    cb.setConnectionStats(stats.downstreamCxRxBytesTotal, stats.downstreamCxTxBytesTotal);
    Duration max = config.maxDownstreamConnectionDuration();
    if (!max.isZero()) {
      durationTimer = cb.dispatcher().schedule(max, () -> {
        durationTimer = null;
        stats.maxDownstreamConnectionDuration.inc();
        callbacks.close(false);
      });
    }
  }

  private StreamInfo info() {
    return callbacks.streamInfo();
  }

  @Override
  public NetworkFilterStatus onNewConnection() {
    clusterName = pickCluster();
    connect();
    return NetworkFilterStatus.STOP_ITERATION;
  }

  private String pickCluster() {
    if (config.cluster() != null) {
      return config.cluster();
    }
    long r = ThreadLocalRandom.current().nextLong(config.totalWeight());
    for (TcpProxyConfig.ClusterWeight w : config.weightedClusters()) {
      r -= w.weight();
      if (r < 0) {
        return w.name();
      }
    }
    return config.weightedClusters().getLast().name();
  }

  /** One connection attempt, or the end of trying (the downstream is closed). */
  private void connect() {
    Cluster c = clusters.get(clusterName);
    if (c == null) {
      stats.downstreamCxNoRoute.inc();
      info().addResponseFlag(ResponseFlag.NO_ROUTE_FOUND);
      initFailure("no cluster '" + clusterName + "'");
      return;
    }
    cluster = c;
    info().setUpstreamClusterName(c.name());
    if (attempts >= config.maxConnectAttempts()) {
      info().addResponseFlag(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
      c.stats().upstreamCxConnectAttemptsExceeded.inc();
      initFailure("gave up after " + attempts + " connection attempts");
      return;
    }
    Host h = c.chooseHost();
    if (h == null) {
      info().addResponseFlag(ResponseFlag.NO_HEALTHY_UPSTREAM);
      initFailure("no healthy host in cluster '" + c.name() + "'");
      return;
    }
    if (!c.resources().connections().tryAcquire()) {
      info().addResponseFlag(ResponseFlag.UPSTREAM_OVERFLOW);
      c.stats().upstreamCxOverflow.inc();
      initFailure("cluster '" + c.name() + "' is at max_connections");
      return;
    }
    resourceHeld = true;
    attempts++;
    connecting = true;
    host = h;
    info().setUpstreamHost(h.address());
    c.stats().upstreamCxTotal.inc();
    c.stats().upstreamCxActive.inc();
    h.activeConnections().incrementAndGet();
    Address a = h.address();
    ConnectOptions options = new ConnectOptions()
        .setRemoteAddress(a.isPipe() ? SocketAddress.domainSocketAddress(a.pipePath())
            : SocketAddress.inetSocketAddress(a.port(), a.ip()))
        .setTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, c.config().connectTimeout().toMillis())));
    Cluster attemptCluster = c;
    Host attemptHost = h;
    clusters.tcpClient().connect(options).onComplete(ar -> onConnected(ar, attemptCluster, attemptHost));
  }

  private void initFailure(String why) {
    LOG.log(System.Logger.Level.DEBUG, () -> "tcp proxy " + config.statPrefix() + ": " + why);
    callbacks.close(false);
  }

  private void onConnected(AsyncResult<NetSocket> ar, Cluster c, Host h) {
    connecting = false;
    if (ar.failed()) {
      upstreamGone(c, h);
      h.onConnectFailure();
      boolean timeout = ar.cause() instanceof io.netty.channel.ConnectTimeoutException
          || String.valueOf(ar.cause().getMessage()).contains("timed out");
      (timeout ? c.stats().upstreamCxConnectTimeout : c.stats().upstreamCxConnectFail).inc();
      if (downstreamClosed) {
        return;
      }
      info().addResponseFlag(ResponseFlag.UPSTREAM_CONNECTION_FAILURE);
      info().setUpstreamTransportFailureReason(String.valueOf(ar.cause().getMessage()));
      connect();
      return;
    }
    NetSocket s = ar.result();
    if (downstreamClosed) {
      s.closeHandler(v -> upstreamGone(c, h));
      s.close();
      return;
    }
    upstream = s;
    if (s.localAddress() != null && s.localAddress().hostAddress() != null) {
      info().setUpstreamLocalAddress(Address.ofIp(s.localAddress().hostAddress(), s.localAddress().port()));
    }
    s.handler(this::onUpstreamData);
    s.closeHandler(v -> onUpstreamClosed(c, h));
    s.exceptionHandler(e -> LOG.log(System.Logger.Level.DEBUG, () -> "tcp proxy upstream " + h + ": " + e));
    s.drainHandler(v -> {
      if (downstreamPaused) {
        downstreamPaused = false;
        stats.downstreamFlowControlResumedReadingTotal.inc();
        callbacks.readDisable(false);
      }
    });
    lastActivityNanos = System.nanoTime();
    if (!config.idleTimeout().isZero()) {
      armIdleTimer(config.idleTimeout());
    }
    if (!early.isEmpty() || earlyEnd) {
      stats.earlyDataReceivedCountTotal.inc();
      sendUpstream(early, earlyEnd);
    }
    if (readDisabledForConnect) {
      readDisabledForConnect = false;
      callbacks.readDisable(false);
    }
  }

  /** Gives back what one upstream connection held. */
  private void upstreamGone(Cluster c, Host h) {
    if (resourceHeld) {
      resourceHeld = false;
      c.resources().connections().release();
    }
    c.stats().upstreamCxActive.dec();
    c.stats().upstreamCxDestroy.inc();
    h.activeConnections().decrementAndGet();
  }

  @Override
  public NetworkFilterStatus onData(BodyBuffer data, boolean endStream) {
    if (upstream == null) {
      early.append(data.toByteArray());
      data.clear();
      earlyEnd |= endStream;
      return NetworkFilterStatus.STOP_ITERATION;
    }
    sendUpstream(data, endStream);
    return NetworkFilterStatus.STOP_ITERATION;
  }

  private void sendUpstream(BodyBuffer data, boolean endStream) {
    if (upstreamClosed) {
      data.clear();
      return;
    }
    if (!data.isEmpty()) {
      byte[] bytes = data.toByteArray();
      data.clear();
      upstream.write(Buffer.buffer(bytes));
      cluster.stats().upstreamCxTxBytesTotal.add(bytes.length);
      lastActivityNanos = System.nanoTime();
      if (!downstreamPaused && upstream.writeQueueFull()) {
        downstreamPaused = true;
        stats.downstreamFlowControlPausedReadingTotal.inc();
        callbacks.readDisable(true);
      }
    }
    if (endStream) {
      // No half-close here: the peer finished, so the upstream gets what is queued, then a close.
      upstream.end();
    }
  }

  private void onUpstreamData(Buffer data) {
    byte[] bytes = data.getBytes();
    cluster.stats().upstreamCxRxBytesTotal.add(bytes.length);
    lastActivityNanos = System.nanoTime();
    callbacks.write(BodyBuffer.wrap(bytes), false);
  }

  private void onUpstreamClosed(Cluster c, Host h) {
    upstreamClosed = true;
    upstreamGone(c, h);
    cancelIdleTimer();
    if (!downstreamClosed) {
      // Envoy closes the downstream with FlushWrite: what the upstream sent still goes out.
      callbacks.write(BodyBuffer.create(), true);
    }
  }

  @Override
  public void onAboveWriteBufferHighWatermark() {
    if (upstream != null) {
      upstream.pause();
    }
  }

  @Override
  public void onBelowWriteBufferLowWatermark() {
    if (upstream != null) {
      upstream.resume();
    }
  }

  private void armIdleTimer(Duration after) {
    idleTimer = callbacks.dispatcher().schedule(after, this::onIdleTimer);
  }

  /** Fires at most once per idle period; activity since then just moves the deadline. */
  private void onIdleTimer() {
    idleTimer = null;
    if (downstreamClosed || upstreamClosed) {
      return;
    }
    long idleNanos = System.nanoTime() - lastActivityNanos;
    long timeoutNanos = config.idleTimeout().toNanos();
    if (idleNanos < timeoutNanos) {
      armIdleTimer(Duration.ofNanos(timeoutNanos - idleNanos));
      return;
    }
    stats.idleTimeout.inc();
    LOG.log(System.Logger.Level.DEBUG, () -> "tcp proxy " + config.statPrefix() + ": session timed out");
    callbacks.close(false);
  }

  private void cancelIdleTimer() {
    if (idleTimer != null) {
      idleTimer.cancel();
      idleTimer = null;
    }
  }

  @Override
  public void onEvent(ConnectionEvent event) {
    downstreamClosed = true;
    cancelIdleTimer();
    if (durationTimer != null) {
      durationTimer.cancel();
      durationTimer = null;
    }
    if (upstream != null && !upstreamClosed) {
      upstream.close();
    }
  }

  @Override
  public void onDestroy() {
    for (AccessLogger log : config.accessLogs()) {
      try {
        log.log(null, null, null, info());
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "tcp proxy access log failed: " + e, e);
      }
    }
  }

  @Override
  public String toString() {
    return "tcp_proxy[" + config.statPrefix() + "]";
  }
}
