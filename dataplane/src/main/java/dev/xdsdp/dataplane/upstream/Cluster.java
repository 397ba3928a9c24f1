package dev.xdsdp.dataplane.upstream;

import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.dataplane.http.codec.WriteCoalescing;
import dev.xdsdp.dataplane.upstream.lb.LeastRequestLb;
import dev.xdsdp.dataplane.upstream.lb.LoadBalancer;
import dev.xdsdp.dataplane.upstream.lb.RandomLb;
import dev.xdsdp.dataplane.upstream.lb.RoundRobinLb;
import dev.xdsdp.xds.resource.cluster.ClusterConfig;
import dev.xdsdp.xds.resource.endpoint.EndpointConfig;
import dev.xdsdp.xds.resource.endpoint.LoadAssignmentConfig;
import dev.xdsdp.xds.resource.endpoint.LocalityEndpoints;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running upstream cluster: its hosts, load balancer, circuit breakers, stats and HTTP connection
 * pools. Shared by all event loops; the host set is swapped atomically when endpoints change, and
 * hosts that survive a change keep their counters and connections.
 */
public class Cluster {

  private static final System.Logger LOG = System.getLogger("upstream");

  /** How long requests in flight on a removed or replaced cluster may take to finish. */
  static final java.time.Duration DRAIN_TIME = java.time.Duration.ofSeconds(30);
  /** How long a replaced or removed cluster's pools still take new requests. */
  static final java.time.Duration CLOSE_GRACE = java.time.Duration.ofSeconds(1);

  private final ClusterConfig config;
  private final Vertx vertx;
  private final ClusterStats stats;
  private final ResourceManager resources;
  private final LoadBalancer lb;
  private volatile HostSet hostSet = HostSet.EMPTY;
  private volatile boolean closed;
  /** Set when a closed cluster's pools stop taking requests (after {@link #CLOSE_GRACE}). */
  private boolean poolsShutDown;
  private volatile LoadAssignmentConfig lastAssignment;
  private HttpClientAgent http1Client;
  private HttpClientAgent http2Client;
  private final Http2ConnectGate http2Gate;

  public Cluster(ClusterConfig config, Vertx vertx, StatsScope stats) {
    this.config = config;
    this.http2Gate = new Http2ConnectGate(config.connectTimeout(), config.http2MaxConcurrentStreams());
    this.vertx = vertx;
    this.stats = new ClusterStats(stats, config.statName());
    this.resources = new ResourceManager(config.thresholds());
    this.lb = switch (config.lbPolicy()) {
      case ROUND_ROBIN -> new RoundRobinLb();
      case LEAST_REQUEST -> new LeastRequestLb(config.leastRequestChoiceCount());
      case RANDOM -> new RandomLb();
    };
  }

  public String name() {
    return config.name();
  }

  public ClusterConfig config() {
    return config;
  }

  public ClusterStats stats() {
    return stats;
  }

  public ResourceManager resources() {
    return resources;
  }

  public HostSet hostSet() {
    return hostSet;
  }

  /** Starts host discovery. Returns when the first host set is known or discovery gave up for now. */
  public void initialize() {
    if (config.loadAssignment() != null) {
      updateEndpoints(config.loadAssignment());
    }
  }

  /**
   * Applies EDS endpoints (or an updated inline assignment); hosts that stay keep their counters
   * and pooled connections. Unchanged assignments are ignored.
   */
  public synchronized void updateEndpoints(LoadAssignmentConfig assignment) {
    if (assignment == null || (lastAssignment != null && lastAssignment.source().equals(assignment.source()))) {
      return;
    }
    lastAssignment = assignment;
    updateHosts(hostsOf(assignment), assignment.overprovisioningFactor());
  }

  /** The last endpoints applied, or null. */
  public LoadAssignmentConfig lastAssignment() {
    return lastAssignment;
  }

  /** The host for a request, or null when none can serve. */
  public Host chooseHost() {
    HostSet hs = hostSet;
    if (hs.isPanic()) {
      stats.lbHealthyPanic.inc();
    }
    Host h = lb.choose(hs);
    if (h == null) {
      stats.upstreamCxNoneHealthy.inc();
    }
    return h;
  }

  /** Replaces the hosts, keeping the {@link Host} objects (and their counters) of unchanged endpoints. */
  public synchronized void updateHosts(List<Host> newHosts, int overprovisioningFactor) {
    Map<Address, Host> old = new HashMap<>();
    for (Host h : hostSet.hosts()) {
      old.put(h.address(), h);
    }
    List<Host> merged = new ArrayList<>(newHosts.size());
    boolean changed = newHosts.size() != old.size();
    int maxWeight = 0;
    for (Host h : newHosts) {
      Host prev = old.get(h.address());
      if (prev != null && prev.sameAs(h)) {
        merged.add(prev);
      } else {
        merged.add(h);
        changed = true;
      }
      maxWeight = Math.max(maxWeight, h.weight());
    }
    HostSet next = new HostSet(merged, overprovisioningFactor, config.healthyPanicThreshold());
    hostSet = next;
    if (changed) {
      stats.membershipChange.inc();
    }
    stats.membershipTotal.set(merged.size());
    stats.membershipHealthy.set(next.healthyCount());
    stats.maxHostWeight.set(maxWeight);
  }

  /** The hosts of an assignment whose addresses are IP literals or pipes. */
  static List<Host> hostsOf(LoadAssignmentConfig assignment) {
    List<Host> hosts = new ArrayList<>();
    for (LocalityEndpoints l : assignment.localities()) {
      String locality = l.region() + "/" + l.zone() + "/" + l.subZone();
      for (EndpointConfig e : l.endpoints()) {
        Address a = e.address().isPipe()
            ? Address.ofPipe(e.address().pipePath())
            : Address.ofIp(e.address().host(), e.address().port());
        hosts.add(new Host(a, e.hostname(), e.weight(), l.priority(), locality,
            e.health() != EndpointConfig.HealthStatus.UNHEALTHY, e.health() == EndpointConfig.HealthStatus.DEGRADED));
      }
    }
    return hosts;
  }

  /**
   * Starts a request to {@code host} on the pool for the given upstream protocol. An HTTP/2
   * request to a host whose first connection is still being made waits for it
   * ({@link Http2ConnectGate}). A failed connect is counted here, once, whoever made the request
   * and whether or not it is still wanted, as Envoy's pool counts it.
   */
  public Future<HttpClientRequest> request(boolean http2, Host host, RequestOptions options) {
    options.setServer(host.socketAddress());
    HttpClientAgent client = client(http2);
    Future<HttpClientRequest> started = http2
        ? http2Gate.request(client, options, host.connectionKey())
        : Http2ConnectGate.start(client, options);
    return started.onFailure(failure -> countConnectFailure(host, failure));
  }

  private void countConnectFailure(Host host, Throwable failure) {
    if (failure instanceof SharedConnectFailure) {
      return; // counted on the request whose connect it was
    }
    boolean timeout = false;
    for (Throwable c = failure; c != null; c = c.getCause()) {
      if (c instanceof HttpClosedException || c.getClass().getSimpleName().equals("ConnectionPoolTooBusyException")) {
        return; // not a connect: the connection closed, or the pool refused to queue
      }
      timeout |= c instanceof ConnectTimeoutException || c.getClass().getSimpleName().contains("ConnectTimeout");
    }
    stats.upstreamCxConnectFail.inc();
    if (timeout) {
      stats.upstreamCxConnectTimeout.inc();
    }
    host.onConnectFailure();
  }

  /** The pool for the given upstream protocol (HTTP/1.1 or HTTP/2 prior knowledge), made on first use. */
  public synchronized HttpClientAgent client(boolean http2) {
    if (http2) {
      if (http2Client == null) {
        http2Client = newClient(true);
        if (poolsShutDown) {
          http2Client.shutdown(DRAIN_TIME);
        }
      }
      return http2Client;
    }
    if (http1Client == null) {
      http1Client = newClient(false);
      if (poolsShutDown) {
        http1Client.shutdown(DRAIN_TIME);
      }
    }
    return http1Client;
  }

  private synchronized void shutdownPools() {
    poolsShutDown = true;
    if (http1Client != null) {
      http1Client.shutdown(DRAIN_TIME);
    }
    if (http2Client != null) {
      http2Client.shutdown(DRAIN_TIME);
    }
  }

  /** Whether a request of the given downstream protocol goes upstream over HTTP/2. */
  public boolean useHttp2(boolean downstreamHttp2) {
    return switch (config.protocol()) {
      case HTTP1 -> false;
      case HTTP2 -> true;
      case USE_DOWNSTREAM -> downstreamHttp2;
    };
  }

  private HttpClientAgent newClient(boolean http2) {
    HttpClientOptions options = new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
        .setKeepAlive(true)
        .setPipelining(false)
        .setTcpNoDelay(true)
        .setTcpKeepAlive(config.tcpKeepalive())
        .setDecompressionSupported(false)
        .setMaxRedirects(0)
        .setMaxHeaderSize(96 * 1024)
        .setName("cluster-" + config.name());
    long idleSeconds = config.upstreamIdleTimeout().toSeconds();
    if (idleSeconds > 0) {
      options.setIdleTimeout((int) Math.min(Integer.MAX_VALUE, idleSeconds)).setIdleTimeoutUnit(TimeUnit.SECONDS);
      options.setKeepAliveTimeout((int) Math.min(Integer.MAX_VALUE, idleSeconds));
      options.setHttp2KeepAliveTimeout((int) Math.min(Integer.MAX_VALUE, idleSeconds));
    }
    if (http2) {
      options.setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false)
          .setHttp2MultiplexingLimit(config.http2MaxConcurrentStreams());
    } else {
      options.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
    int maxConnections = config.thresholds().maxConnections();
    PoolOptions pool = new PoolOptions()
        .setHttp1MaxSize(maxConnections)
        .setHttp2MaxSize(maxConnections)
        // The router holds the pending-request circuit breaker for the requests that wait here.
        .setMaxWaitQueueSize(-1);
    return vertx.httpClientBuilder()
        .with(options)
        .with(pool)
        .withConnectHandler(conn -> {
          WriteCoalescing.install(conn);
          stats.upstreamCxTotal.inc();
          stats.upstreamCxActive.inc();
          (http2 ? stats.upstreamCxHttp2Total : stats.upstreamCxHttp1Total).inc();
          Runnable gateOnClose = http2 ? http2Gate.onConnection(conn) : () -> {};
          conn.closeHandler(v -> {
            gateOnClose.run();
            stats.upstreamCxActive.dec();
            stats.upstreamCxDestroy.inc();
          });
        })
        .build();
  }

  public boolean isClosed() {
    return closed;
  }

  /**
   * Stops discovery and shuts the pools down gracefully: in-flight requests may finish within
   * {@link #DRAIN_TIME}, no new ones start.
   */
  public synchronized void close() {
    closed = true;
    // A stream on another event loop may have picked this cluster just before the swap and not
    // yet sent its request: the pools take new requests for a moment longer, then drain (the
    // router re-resolves a closed cluster by name before each attempt).
    vertx.setTimer(CLOSE_GRACE.toMillis(), t -> shutdownPools());
    LOG.log(System.Logger.Level.DEBUG, "cluster {0} closed", config.name());
  }
}
