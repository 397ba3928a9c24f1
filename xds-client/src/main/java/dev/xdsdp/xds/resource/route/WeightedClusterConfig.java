package dev.xdsdp.xds.resource.route;

import dev.xdsdp.api.filter.RouteSpecificConfig;
import java.util.List;
import java.util.Map;

/**
 * {@code weighted_clusters}: each request goes to one cluster chosen with probability weight/total.
 *
 * @param totalWeight sum of the weights (or the deprecated {@code total_weight})
 * @param randomValueHeader when set, the header whose value picks the cluster instead of a random number
 */
public record WeightedClusterConfig(List<ClusterWeight> clusters, long totalWeight, String randomValueHeader) {

  public WeightedClusterConfig {
    clusters = List.copyOf(clusters);
  }

  /** One cluster of a weighted set, with its own header edits and per-filter configs. */
  public record ClusterWeight(
      String name,
      String clusterHeader,
      int weight,
      HeaderMutations requestHeaders,
      HeaderMutations responseHeaders,
      String hostRewriteLiteral,
      Map<String, RouteSpecificConfig> perFilterConfig) {

    public ClusterWeight {
      perFilterConfig = Map.copyOf(perFilterConfig);
    }
  }

  /** The cluster for a value in [0, totalWeight). */
  public ClusterWeight pick(long value) {
    long v = value % totalWeight;
    long acc = 0;
    for (ClusterWeight c : clusters) {
      acc += c.weight();
      if (v < acc) {
        return c;
      }
    }
    return clusters.get(clusters.size() - 1);
  }
}
