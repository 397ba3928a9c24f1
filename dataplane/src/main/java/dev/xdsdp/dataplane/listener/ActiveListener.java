package dev.xdsdp.dataplane.listener;

import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.dataplane.http.DownstreamConnection;
import dev.xdsdp.dataplane.http.HttpConnectionManager;
import dev.xdsdp.dataplane.http.VertxDispatcher;
import dev.xdsdp.dataplane.http.codec.DrainHoldsIdleConnections;
import dev.xdsdp.dataplane.http.codec.WriteCoalescing;
import dev.xdsdp.dataplane.network.NetworkFilterChainFactory;
import dev.xdsdp.dataplane.network.TcpConnection;
import dev.xdsdp.dataplane.server.WorkerLoops;
import dev.xdsdp.xds.resource.listener.FilterChainConfig;
import dev.xdsdp.xds.resource.listener.HcmConfig;
import dev.xdsdp.xds.resource.listener.ListenerConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A bound listener: one Vert.x server per worker event loop on the same address (Vert.x spreads
 * accepted connections over them), each connection pinned to its loop and to the filter chain chosen
 * when it was accepted. A listener whose chains end in the HTTP connection manager runs Vert.x HTTP
 * servers; one whose chains end in {@code tcp_proxy} runs raw TCP servers, and each connection goes
 * through its chain's network filters ({@link TcpConnection}).
 *
 * <p>A config change that keeps the address is applied in place (Envoy's in-place filter chain
 * update): new connections use the new filter chains while connections accepted before are drained
 * (HTTP/2 GOAWAY, HTTP/1 close after the current request) and closed after the drain time.
 */
public final class ActiveListener {

  private static final System.Logger LOG = System.getLogger("config");

  /**
   * One config generation: the listener config and its connection managers. Once retired (replaced
   * in place, or the listener drained) and its last connection closed, its inline filter configs
   * are released, as ECDS configs are: a Wasm filter closes its VMs then.
   */
  private record Generation(
      ListenerConfig config,
      Map<FilterChainConfig, HttpConnectionManager> managers,
      Map<FilterChainConfig, NetworkFilterChainFactory> tcpChains,
      java.util.concurrent.atomic.AtomicInteger connections,
      java.util.concurrent.atomic.AtomicBoolean retired,
      java.util.concurrent.atomic.AtomicBoolean released) {

    void retireWhenIdle() {
      retired.set(true);
      if (connections.get() == 0) {
        release();
      }
    }

    void connectionClosed() {
      if (connections.decrementAndGet() == 0 && retired.get()) {
        release();
      }
    }

    void release() {
      if (!released.compareAndSet(false, true)) {
        return;
      }
      for (FilterChainConfig fc : config.allFilterChains()) {
        var logs = fc.isHttp() ? fc.hcm().accessLogs() : fc.tcpProxy().accessLogs();
        for (var log : logs) {
          try {
            log.release();
          } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "releasing an access log failed", e);
          }
        }
        for (var nf : fc.networkFilters()) {
          try {
            nf.factory().release();
          } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "releasing network filter " + nf.name() + " failed", e);
          }
        }
        if (fc.hcm() == null) {
          continue;
        }
        for (var f : fc.hcm().httpFilters()) {
          try {
            if (f.factory() != null) {
              f.factory().release();
            }
            if (f.discovery() != null && f.discovery().defaultFactory() != null) {
              f.discovery().defaultFactory().release();
            }
          } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "releasing filter " + f.name() + " failed", e);
          }
        }
      }
    }
  }

  /** A worker loop's server and the connections it accepted. Touched only on that loop. */
  private static final class LoopState {
    final Context context;
    HttpServer server;
    NetServer tcpServer;
    final Map<HttpConnection, Accepted> connections = new IdentityHashMap<>();
    final Map<NetSocket, TcpAccepted> tcpConnections = new IdentityHashMap<>();

    int actualPort() {
      return server != null ? server.actualPort() : tcpServer.actualPort();
    }

    Future<Void> shutdown(Duration drainTime) {
      return server != null ? server.shutdown(drainTime) : tcpServer.shutdown(drainTime);
    }

    LoopState(Context context) {
      this.context = context;
    }
  }

  private record Accepted(DownstreamConnection connection, Generation generation) {}

  private record TcpAccepted(TcpConnection connection, Generation generation) {}

  private final WorkerLoops loops;
  private final StatsScope statsRoot;
  private final ChainFactories chainFactories;
  private final List<LoopState> loopStates = new CopyOnWriteArrayList<>();
  private volatile Generation current;
  private volatile ListenerStats stats;
  private volatile int boundPort;

  public ActiveListener(
      ListenerConfig config,
      WorkerLoops loops,
      StatsScope stats,
      ChainFactories chainFactories) {
    this.loops = loops;
    this.statsRoot = stats;
    this.chainFactories = chainFactories;
    this.current = generation(config);
    this.stats = new ListenerStats(stats, config.statPrefix());
  }

  private Generation generation(ListenerConfig config) {
    Map<FilterChainConfig, HttpConnectionManager> managers = new IdentityHashMap<>();
    Map<FilterChainConfig, NetworkFilterChainFactory> tcpChains = new IdentityHashMap<>();
    for (FilterChainConfig fc : config.allFilterChains()) {
      if (fc.isHttp()) {
        managers.put(fc, chainFactories.http(config, fc));
      } else {
        tcpChains.put(fc, chainFactories.tcp(config, fc));
      }
    }
    return new Generation(config, managers, tcpChains, new java.util.concurrent.atomic.AtomicInteger(),
        new java.util.concurrent.atomic.AtomicBoolean(), new java.util.concurrent.atomic.AtomicBoolean());
  }

  public ListenerConfig config() {
    return current.config();
  }

  /** The port actually bound (differs from the config for port 0). */
  public int port() {
    return boundPort;
  }

  public String name() {
    return current.config().name();
  }

  /** True when {@code next} can replace this listener's config without rebinding. */
  public boolean canUpdateInPlace(ListenerConfig next) {
    ListenerConfig cur = current.config();
    return cur.address().equals(next.address()) && cur.bindToPort() == next.bindToPort()
        && isHttp(cur) == isHttp(next) && serverOptionsKey(cur).equals(serverOptionsKey(next));
  }

  /** Binds on every worker loop; fails with the bind error (e.g. address in use). */
  public Future<Void> start() {
    ListenerConfig config = current.config();
    // Vert.x shares one socket among servers that ask for the same address, so every loop asks for
    // the configured one; for port 0 a free port is picked first (Vert.x would give each its own).
    List<Context> contexts = loops.contexts();
    int port = config.address().isPipe() ? 0 : config.address().port();
    if (port == 0 && !config.address().isPipe() && contexts.size() > 1) {
      try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(config.address().host()))) {
        port = probe.getLocalPort();
      } catch (java.io.IOException e) {
        return Future.failedFuture("cannot bind '" + config.address() + "': " + e.getMessage());
      }
    }
    int chosen = port;
    Future<Void> first = listenOn(contexts.get(0), chosen);
    return first.compose(v -> {
      List<Future<Void>> rest = new ArrayList<>();
      for (int i = 1; i < contexts.size(); i++) {
        rest.add(listenOn(contexts.get(i), chosen));
      }
      return Future.all(rest).mapEmpty();
    }).compose(v -> {
      for (LoopState s : loopStates) {
        if (s.actualPort() != boundPort) {
          return Future.failedFuture("cannot bind '" + config.address() + "': worker servers got different ports ("
              + s.actualPort() + " and " + boundPort + ")");
        }
      }
      return Future.succeededFuture();
    });
  }

  private Future<Void> listenOn(Context context, int port) {
    Promise<Void> promise = Promise.promise();
    ListenerConfig config = current.config();
    context.runOnContext(v -> {
      LoopState state = new LoopState(context);
      SocketAddress address = config.address().isPipe()
          ? SocketAddress.domainSocketAddress(config.address().pipePath())
          : SocketAddress.inetSocketAddress(port, config.address().host());
      Future<Integer> listening;
      if (isHttp(config)) {
        HttpServer server = context.owner().createHttpServer(serverOptions(config));
        state.server = server;
        server.connectionHandler(conn -> accept(conn, state));
        server.requestHandler(req -> onRequest(req, state));
        listening = server.listen(address).map(HttpServer::actualPort);
      } else {
        NetServer server = context.owner().createNetServer(
            new NetServerOptions().setReuseAddress(true).setTcpNoDelay(true));
        state.tcpServer = server;
        server.connectHandler(socket -> acceptTcp(socket, state));
        listening = server.listen(address).map(NetServer::actualPort);
      }
      listening.onComplete(ar -> {
        if (ar.succeeded()) {
          loopStates.add(state);
          boundPort = ar.result();
          promise.complete();
        } else {
          promise.fail(new IllegalStateException("cannot bind '" + config.address() + "': " + ar.cause().getMessage(), ar.cause()));
        }
      });
    });
    return promise.future();
  }

  /** The server options a config needs; a change in these requires a new socket. */
  private static String serverOptionsKey(ListenerConfig config) {
    if (!isHttp(config)) {
      return "tcp";
    }
    HcmConfig hcm = config.allFilterChains().get(0).hcm();
    return hcm.http2Enabled() + "/" + hcm.proxy100Continue() + "/" + hcm.maxRequestHeadersKb() + "/"
        + hcm.http2MaxConcurrentStreams() + "/" + hcm.idleTimeout();
  }

  /** All chains of a listener end the same way (the parser checks), so the first one tells. */
  static boolean isHttp(ListenerConfig config) {
    return config.allFilterChains().get(0).isHttp();
  }

  private static HttpServerOptions serverOptions(ListenerConfig config) {
    HcmConfig hcm = config.allFilterChains().get(0).hcm();
    HttpServerOptions o = new HttpServerOptions()
        .setReuseAddress(true)
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        .setDecompressionSupported(false)
        .setHttp2ClearTextEnabled(hcm.http2Enabled())
        .setHandle100ContinueAutomatically(!hcm.proxy100Continue())
        .setMaxHeaderSize(hcm.maxRequestHeadersKb() * 1024)
        .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(hcm.http2MaxConcurrentStreams()));
    long idle = hcm.idleTimeout().toSeconds();
    if (idle > 0) {
      o.setIdleTimeout((int) Math.min(Integer.MAX_VALUE, idle)).setIdleTimeoutUnit(TimeUnit.SECONDS);
    }
    return o;
  }

  private DownstreamConnection accept(HttpConnection conn, LoopState state) {
    Generation gen = current;
    ListenerStats ls = stats;
    Address local = address(conn.localAddress());
    Address remote = address(conn.remoteAddress());
    FilterChainConfig chain = FilterChainMatcher.select(gen.config(), local, remote);
    if (chain == null) {
      ls.noFilterChainMatch.inc();
      conn.close();
      return null;
    }
    WriteCoalescing.install(conn);
    HttpConnectionManager hcm = gen.managers().get(chain);
    DownstreamConnection dc = new DownstreamConnection(remote, local, hcm,
        new VertxDispatcher(io.vertx.core.Vertx.currentContext()));
    DrainHoldsIdleConnections.install(conn, dc::startDraining);
    state.connections.put(conn, new Accepted(dc, gen));
    gen.connections().incrementAndGet();
    ls.downstreamCxTotal.inc();
    ls.downstreamCxActive.inc();
    var hs = hcm.stats();
    hs.downstreamCxTotal.inc();
    hs.downstreamCxActive.inc();
    boolean h2 = conn.protocolVersion() == HttpVersion.HTTP_2;
    (h2 ? hs.downstreamCxHttp2Total : hs.downstreamCxHttp1Total).inc();
    (h2 ? hs.downstreamCxHttp2Active : hs.downstreamCxHttp1Active).inc();
    conn.closeHandler(v -> {
      if (state.connections.remove(conn) != null) {
        gen.connectionClosed();
        ls.downstreamCxActive.dec();
        ls.downstreamCxDestroy.inc();
        hs.downstreamCxActive.dec();
        hs.downstreamCxDestroy.inc();
        (h2 ? hs.downstreamCxHttp2Active : hs.downstreamCxHttp1Active).dec();
      }
    });
    return dc;
  }

  private void onRequest(HttpServerRequest req, LoopState state) {
    Accepted a = state.connections.get(req.connection());
    DownstreamConnection dc = a == null ? null : a.connection();
    if (dc == null) {
      // An h2c upgrade hands requests over on a new connection object.
      dc = accept(req.connection(), state);
      if (dc == null) {
        return;
      }
    }
    if (dc.closeAnnounced()) {
      return; // pipelined behind a response that closes the connection once written
    }
    dc.hcm().onRequest(req, dc);
  }

  private void acceptTcp(NetSocket socket, LoopState state) {
    Generation gen = current;
    ListenerStats ls = stats;
    Address local = address(socket.localAddress());
    Address remote = address(socket.remoteAddress());
    FilterChainConfig chain = FilterChainMatcher.select(gen.config(), local, remote);
    if (chain == null) {
      ls.noFilterChainMatch.inc();
      socket.close();
      return;
    }
    NetworkFilterChainFactory factory = gen.tcpChains().get(chain);
    List<dev.xdsdp.api.network.NetworkFilter> filters;
    try {
      filters = factory.create();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "listener " + gen.config().name() + ": network filters failed to start", e);
      socket.close();
      return;
    }
    gen.connections().incrementAndGet();
    ls.downstreamCxTotal.inc();
    ls.downstreamCxActive.inc();
    TcpConnection connection = new TcpConnection(socket, gen.config().name(), remote, local, filters,
        new VertxDispatcher(io.vertx.core.Vertx.currentContext()), () -> {
          if (state.tcpConnections.remove(socket) != null) {
            gen.connectionClosed();
            ls.downstreamCxActive.dec();
            ls.downstreamCxDestroy.inc();
          }
        });
    state.tcpConnections.put(socket, new TcpAccepted(connection, gen));
    connection.start();
  }

  static Address address(SocketAddress a) {
    if (a == null) {
      return null;
    }
    if (a.isDomainSocket()) {
      return Address.ofPipe(a.path());
    }
    String ip = a.hostAddress();
    return ip == null ? null : Address.ofIp(ip, a.port());
  }

  /**
   * Replaces the config without rebinding: new connections use {@code next}; connections accepted
   * under the old config are drained within {@code drainTime}, as Envoy drains the filter chains
   * an in-place update replaces. HTTP/2 connections get GOAWAY. An HTTP/1.1 connection stays open
   * (a request sent on it while idle is still served) and each response says
   * {@code connection: close}; whatever is still open when the drain time is up is closed, as are
   * raw TCP connections, which have no way to ask the peer to go away.
   */
  public void updateInPlace(ListenerConfig next, Duration drainTime) {
    Generation old = current;
    current = generation(next);
    if (!next.statPrefix().equals(old.config().statPrefix())) {
      stats = new ListenerStats(statsRoot, next.statPrefix());
    }
    for (LoopState s : loopStates) {
      s.context.runOnContext(v -> {
        List<HttpConnection> http1 = new ArrayList<>();
        for (Map.Entry<HttpConnection, Accepted> e : List.copyOf(s.connections.entrySet())) {
          if (e.getValue().generation() == old) {
            e.getValue().connection().startDraining();
            HttpConnection conn = e.getKey();
            if (conn.protocolVersion() == HttpVersion.HTTP_2) {
              conn.shutdown(drainTime);
            } else {
              http1.add(conn);
            }
          }
        }
        Runnable closeOld = () -> {
          http1.forEach(HttpConnection::close);
          for (TcpAccepted a : List.copyOf(s.tcpConnections.values())) {
            if (a.generation() == old) {
              a.connection().close(true);
            }
          }
        };
        if (drainTime.isZero()) {
          closeOld.run();
        } else if (!http1.isEmpty() || !s.tcpConnections.isEmpty()) {
          s.context.owner().setTimer(Math.max(1, drainTime.toMillis()), t -> closeOld.run());
        }
      });
    }
    old.retireWhenIdle();
  }

  /** Number of open downstream connections (all loops; approximate while they change). */
  public int openConnections() {
    int n = 0;
    for (LoopState s : loopStates) {
      n += s.connections.size() + s.tcpConnections.size();
    }
    return n;
  }

  /**
   * Stops accepting and drains: open connections get GOAWAY / close-after-response and are closed
   * after {@code drainTime}.
   */
  public Future<Void> drainAndStop(Duration drainTime) {
    List<Future<Void>> closes = new ArrayList<>();
    for (LoopState s : loopStates) {
      s.context.runOnContext(v -> s.connections.values().forEach(a -> a.connection().startDraining()));
      closes.add(s.shutdown(drainTime));
    }
    loopStates.clear();
    LOG.log(System.Logger.Level.DEBUG, "listener {0} draining", name());
    Generation last = current;
    // Streams still open hold their own references (a Wasm plugin drains its VMs), so releasing
    // when the servers are shut down is safe even if a connection outlived the drain.
    return Future.all(closes).onComplete(ar -> last.release()).mapEmpty();
  }

  /** Stops accepting and closes open connections now. */
  public Future<Void> stop() {
    return drainAndStop(Duration.ZERO);
  }
}
