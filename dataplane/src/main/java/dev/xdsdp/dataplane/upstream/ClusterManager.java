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

  public void close() {
    for (Cluster c : clusters.values()) {
      c.close();
    }
    clusters.clear();
    dnsResolver.shutdownNow();
  }
}
