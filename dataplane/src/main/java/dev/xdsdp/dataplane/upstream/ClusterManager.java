package dev.xdsdp.dataplane.upstream;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.xds.resource.cluster.ClusterConfig;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * All clusters by name. Lookups come from any event loop; additions and removals come from the
 * main thread (bootstrap or xDS). A removed or replaced cluster is closed after being swapped out.
 */
public final class ClusterManager {

  private final Vertx vertx;
  private final StatsScope stats;
  private final Map<String, Cluster> clusters = new ConcurrentHashMap<>();
  private final ExecutorService dnsResolver;
  private final Counter clusterAdded;
  private final Counter clusterModified;
  private final Counter clusterRemoved;
  private final Gauge activeClusters;
  private io.vertx.core.net.NetClient tcpClient;

  public ClusterManager(Vertx vertx, StatsScope stats) {
    this.vertx = vertx;
    this.stats = stats;
    this.dnsResolver = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "dns-resolver");
      t.setDaemon(true);
      return t;
    });
    StatsScope cm = stats.scope("cluster_manager");
    clusterAdded = cm.counter("cluster_added");
    clusterModified = cm.counter("cluster_modified");
    clusterRemoved = cm.counter("cluster_removed");
    activeClusters = cm.gauge("active_clusters");
  }

  private final java.util.Set<String> staticNames = ConcurrentHashMap.newKeySet();
  private final Map<String, String> errors = new ConcurrentHashMap<>();

  /** Adds a bootstrap cluster; xDS may not replace it. */
  public void addStatic(ClusterConfig config) {
    staticNames.add(config.name());
    addOrUpdate(config);
  }

  public boolean isStatic(String name) {
    return staticNames.contains(name);
  }

  /** Why a dynamic cluster was not applied, by name (for {@code /config_dump}). */
  public Map<String, String> errors() {
    return Map.copyOf(errors);
  }

  /**
   * Makes the dynamic clusters match {@code desired} (CDS) and gives EDS clusters their endpoints.
   * New and changed clusters replace the old ones, whose requests in flight finish on the old pools;
   * unchanged EDS clusters only get their host sets updated. Runs on the main thread.
   */
  public void applyDynamic(Map<String, ClusterConfig> desired, Map<String, dev.xdsdp.xds.resource.endpoint.LoadAssignmentConfig> endpoints) {
    for (ClusterConfig c : desired.values()) {
      if (staticNames.contains(c.name())) {
        errors.put(c.name(), "cds: cluster '" + c.name() + "' is static and cannot be updated");
        continue;
      }
      errors.remove(c.name());
      addOrUpdate(c);
      Cluster running = clusters.get(c.name());
      if (c.type() == ClusterConfig.DiscoveryType.EDS && running != null) {
        running.updateEndpoints(endpoints.get(c.edsServiceName()));
      }
    }
    for (String name : java.util.List.copyOf(clusters.keySet())) {
      if (!desired.containsKey(name) && !staticNames.contains(name)) {
        remove(name);
      }
    }
    errors.keySet().retainAll(desired.keySet());
  }

  /** The cluster named {@code name}, or null. */
  public Cluster get(String name) {
    return clusters.get(name);
  }

  public Collection<Cluster> all() {
    return clusters.values();
  }

  /**
   * Adds or replaces a cluster and initializes it (static hosts, first DNS resolution). Returns
   * false when an identical cluster already exists.
   */
  public boolean addOrUpdate(ClusterConfig config) {
    Cluster existing = clusters.get(config.name());
    if (existing != null && existing.config().source().equals(config.source())) {
      return false;
    }
    Cluster cluster = switch (config.type()) {
      case STRICT_DNS, LOGICAL_DNS -> new DnsCluster(config, vertx, stats, dnsResolver);
      default -> new Cluster(config, vertx, stats);
    };
    cluster.initialize();
    Cluster old = clusters.put(config.name(), cluster);
    if (old != null) {
      clusterModified.inc();
      old.close();
    } else {
      clusterAdded.inc();
    }
    activeClusters.set(clusters.size());
    return true;
  }

  public boolean remove(String name) {
    Cluster old = clusters.remove(name);
    if (old == null) {
      return false;
    }
    old.close();
    clusterRemoved.inc();
    activeClusters.set(clusters.size());
    return true;
  }

  /**
   * The raw TCP client for TCP proxy upstream connections (made on first use). One per server:
   * each connection picks its cluster's connect timeout, and a connection made on an event loop
   * stays on it.
   */
  public synchronized io.vertx.core.net.NetClient tcpClient() {
    if (tcpClient == null) {
      tcpClient = vertx.createNetClient(new io.vertx.core.net.NetClientOptions().setTcpNoDelay(true));
    }
    return tcpClient;
  }

  public void close() {
    for (Cluster c : clusters.values()) {
      c.close();
    }
    clusters.clear();
    dnsResolver.shutdownNow();
    synchronized (this) {
      if (tcpClient != null) {
        tcpClient.close();
      }
    }
  }
}
