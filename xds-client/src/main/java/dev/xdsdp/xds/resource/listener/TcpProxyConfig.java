package dev.xdsdp.xds.resource.listener;

import dev.xdsdp.api.accesslog.AccessLogger;
import java.time.Duration;
import java.util.List;

/**
 * A validated {@code envoy.filters.network.tcp_proxy}
 * ({@code envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy}).
 *
 * @param statPrefix stats go under {@code tcp.<stat_prefix>.}
 * @param cluster the upstream cluster, or null when {@code weightedClusters} is used
 * @param weightedClusters the clusters to pick from by weight; empty when {@code cluster} is set
 * @param idleTimeout close both sides after this long without bytes either way; Envoy's default
 *     1 h; zero disables
 * @param accessLogs written once per connection, when it ends
 * @param maxConnectAttempts upstream connection attempts before giving up (at least 1)
 * @param maxDownstreamConnectionDuration close the connection after this long; zero disables
 */
public record TcpProxyConfig(
    String statPrefix,
    String cluster,
    List<ClusterWeight> weightedClusters,
    Duration idleTimeout,
    List<AccessLogger> accessLogs,
    int maxConnectAttempts,
    Duration maxDownstreamConnectionDuration) {

  public TcpProxyConfig {
    weightedClusters = List.copyOf(weightedClusters);
    accessLogs = List.copyOf(accessLogs);
  }

  /** One entry of {@code weighted_clusters.clusters}. */
  public record ClusterWeight(String name, int weight) {}

  /** The sum of the weights (0 when a single cluster is configured). */
  public long totalWeight() {
    long total = 0;
    for (ClusterWeight w : weightedClusters) {
      total += w.weight();
    }
    return total;
  }
}
