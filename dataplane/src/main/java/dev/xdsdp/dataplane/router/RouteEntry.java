package dev.xdsdp.dataplane.router;

import dev.xdsdp.api.filter.RouteSpecificConfig;
import dev.xdsdp.api.http.RouteView;
import dev.xdsdp.xds.resource.route.ForwardAction;
import dev.xdsdp.xds.resource.route.RouteConfig;
import dev.xdsdp.xds.resource.route.RouteTableConfig;
import dev.xdsdp.xds.resource.route.VirtualHostConfig;
import dev.xdsdp.xds.resource.route.WeightedClusterConfig;
import java.time.Duration;

/**
 * The route selected for one request, with the cluster already chosen (a weighted cluster is
 * picked once per request so every filter sees the same choice).
 *
 * @param weightedCluster the chosen weighted cluster entry, or null
 * @param clusterName the target cluster, or null for non-forwarding actions
 */
public record RouteEntry(
    RouteTableConfig table,
    VirtualHostConfig virtualHost,
    RouteConfig route,
    WeightedClusterConfig.ClusterWeight weightedCluster,
    String clusterName) implements RouteView {

  @Override
  public String name() {
    return route.name();
  }

  @Override
  public String virtualHostName() {
    return virtualHost.name();
  }

  @Override
  public String routeConfigName() {
    return table.name();
  }

  @Override
  public Duration timeout() {
    return route.action() instanceof ForwardAction f ? f.timeout() : Duration.ZERO;
  }

  /** The most specific per-filter config: weighted cluster, route, virtual host, route table. */
  public RouteSpecificConfig perFilterConfig(String filterName) {
    RouteSpecificConfig c;
    if (weightedCluster != null && (c = weightedCluster.perFilterConfig().get(filterName)) != null) {
      return c;
    }
    if ((c = route.perFilterConfig().get(filterName)) != null) {
      return c;
    }
    if ((c = virtualHost.perFilterConfig().get(filterName)) != null) {
      return c;
    }
    return table.perFilterConfig().get(filterName);
  }
}
