package dev.xdsdp.dataplane.listener;

import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.dataplane.http.DownstreamConnection;
import dev.xdsdp.dataplane.http.HttpConnectionManager;
import dev.xdsdp.dataplane.http.VertxDispatcher;
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
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A bound listener: one Vert.x HTTP server per worker event loop on the same address (Vert.x spreads
 * accepted connections over them), each connection pinned to its loop and to the filter chain chosen
 * when it was accepted.
 */
public final class ActiveListener {

  private static final System.Logger LOG = System.getLogger("config");

  private final ListenerConfig config;
  private final WorkerLoops loops;
  private final ListenerStats stats;
  private final Map<FilterChainConfig, HttpConnectionManager> managers = new IdentityHashMap<>();
  private final List<HttpServer> servers = new ArrayList<>();
  private volatile int boundPort;

  public ActiveListener(
      ListenerConfig config, WorkerLoops loops, StatsScope stats, Function<FilterChainConfig, HttpConnectionManager> hcmFactory) {
    this.config = config;
    this.loops = loops;
    this.stats = new ListenerStats(stats, config.statPrefix());
    for (FilterChainConfig fc : config.allFilterChains()) {
      managers.put(fc, hcmFactory.apply(fc));
    }
  }

  public ListenerConfig config() {
    return config;
  }

  /** The port actually bound (differs from the config for port 0). */
  public int port() {
    return boundPort;
  }

  public String name() {
    return config.name();
  }

  /** Binds on every worker loop; fails with the bind error (e.g. address in use). */
  public Future<Void> start() {
    // Vert.x shares one socket among servers that ask for the same address (port 0 included), so
    // every loop asks for the configured one; the first bind decides the actual port.
    List<Context> contexts = loops.contexts();
    int port = config.address().isPipe() ? 0 : config.address().port();
    if (port == 0 && !config.address().isPipe() && contexts.size() > 1) {
      // Vert.x gives each port-0 server its own port; pick one first so all loops share it.
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
      synchronized (servers) {
        for (HttpServer s : servers) {
          if (s.actualPort() != boundPort) {
            return Future.failedFuture("cannot bind '" + config.address() + "': worker servers got different ports ("
                + s.actualPort() + " and " + boundPort + ")");
          }
        }
      }
      return Future.succeededFuture();
    });
  }

  private Future<Void> listenOn(Context context, int port) {
    Promise<Void> promise = Promise.promise();
    context.runOnContext(v -> {
      HttpServer server = context.owner().createHttpServer(serverOptions());
      Map<HttpConnection, DownstreamConnection> connections = new IdentityHashMap<>();
      server.connectionHandler(conn -> accept(conn, connections));
      server.requestHandler(req -> onRequest(req, connections));
      SocketAddress address = config.address().isPipe()
          ? SocketAddress.domainSocketAddress(config.address().pipePath())
          : SocketAddress.inetSocketAddress(port, config.address().host());
      server.listen(address).onComplete(ar -> {
        if (ar.succeeded()) {
          synchronized (servers) {
            servers.add(server);
          }
          boundPort = ar.result().actualPort();
          promise.complete();
        } else {
          promise.fail(new IllegalStateException("cannot bind '" + config.address() + "': " + ar.cause().getMessage(), ar.cause()));
        }
      });
    });
    return promise.future();
  }

  private HttpServerOptions serverOptions() {
    HcmConfig hcm = config.allFilterChains().get(0).hcm();
    HttpServerOptions o = new HttpServerOptions()
        .setReuseAddress(true)
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        .setDecompressionSupported(false)
        .setHttp2ClearTextEnabled(hcm.http2Enabled())
        .setHandle100ContinueAutomatically(!hcm.proxy100Continue())
        .setMaxHeaderSize(hcm.maxRequestHeadersKb() * 1024)
        .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(
            Math.min(hcm.http2MaxConcurrentStreams(), Integer.MAX_VALUE)));
    long idle = hcm.idleTimeout().toSeconds();
    if (idle > 0) {
      o.setIdleTimeout((int) Math.min(Integer.MAX_VALUE, idle)).setIdleTimeoutUnit(TimeUnit.SECONDS);
    }
    return o;
  }

  private DownstreamConnection accept(HttpConnection conn, Map<HttpConnection, DownstreamConnection> connections) {
    Address local = address(conn.localAddress());
    Address remote = address(conn.remoteAddress());
    FilterChainConfig chain = FilterChainMatcher.select(config, local, remote);
    if (chain == null) {
      stats.noFilterChainMatch.inc();
      conn.close();
      return null;
    }
    HttpConnectionManager hcm = managers.get(chain);
    DownstreamConnection dc = new DownstreamConnection(remote, local, hcm, new VertxDispatcher(
        io.vertx.core.Vertx.currentContext()));
    connections.put(conn, dc);
    stats.downstreamCxTotal.inc();
    stats.downstreamCxActive.inc();
    var hs = hcm.stats();
    hs.downstreamCxTotal.inc();
    hs.downstreamCxActive.inc();
    boolean h2 = conn.protocolVersion() == HttpVersion.HTTP_2;
    (h2 ? hs.downstreamCxHttp2Total : hs.downstreamCxHttp1Total).inc();
    (h2 ? hs.downstreamCxHttp2Active : hs.downstreamCxHttp1Active).inc();
    conn.closeHandler(v -> {
      if (connections.remove(conn) != null) {
        stats.downstreamCxActive.dec();
        stats.downstreamCxDestroy.inc();
        hs.downstreamCxActive.dec();
        hs.downstreamCxDestroy.inc();
        (h2 ? hs.downstreamCxHttp2Active : hs.downstreamCxHttp1Active).dec();
      }
    });
    return dc;
  }

  private void onRequest(HttpServerRequest req, Map<HttpConnection, DownstreamConnection> connections) {
    DownstreamConnection dc = connections.get(req.connection());
    if (dc == null) {
      // An h2c upgrade hands requests over on a new connection object.
      dc = accept(req.connection(), connections);
      if (dc == null) {
        return;
      }
    }
    dc.hcm().onRequest(req, dc);
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

  /** Stops accepting; open connections are closed. */
  public Future<Void> stop() {
    List<Future<Void>> closes = new ArrayList<>();
    synchronized (servers) {
      for (HttpServer s : servers) {
        closes.add(s.close());
      }
      servers.clear();
    }
    LOG.log(System.Logger.Level.DEBUG, "listener {0} stopped", config.name());
    return Future.all(closes).mapEmpty();
  }
}
