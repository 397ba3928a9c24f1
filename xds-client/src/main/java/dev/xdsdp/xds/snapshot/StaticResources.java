package dev.xdsdp.xds.snapshot;

import dev.xdsdp.xds.resource.ConfigIssues;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import dev.xdsdp.xds.resource.cluster.ClusterConfig;
import dev.xdsdp.xds.resource.cluster.ClusterResourceType;
import dev.xdsdp.xds.resource.listener.FilterChainConfig;
import dev.xdsdp.xds.resource.listener.ListenerConfig;
import dev.xdsdp.xds.resource.listener.ListenerResourceType;
import dev.xdsdp.xds.resource.route.ForwardAction;
import dev.xdsdp.xds.resource.route.RouteConfig;
import dev.xdsdp.xds.resource.route.RouteTableConfig;
import dev.xdsdp.xds.resource.route.VirtualHostConfig;
import dev.xdsdp.xds.resource.route.WeightedClusterConfig;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bootstrap's {@code static_resources}, parsed and cross-checked. Every resource is parsed even
 * after an error so that {@code --mode validate} reports all problems in one run.
 *
 * @param errors one per unusable resource; empty when everything can be served
 */
public record StaticResources(
    Map<String, ClusterConfig> clusters, Map<String, ListenerConfig> listeners,
    List<ResourceInvalidException> errors, List<ConfigIssues.Issue> issues) {

  public StaticResources {
    clusters = Map.copyOf(clusters);
    listeners = Map.copyOf(listeners);
    errors = List.copyOf(errors);
    issues = List.copyOf(issues);
  }

  public static StaticResources parse(Bootstrap bootstrap, ParseContext ctx) {
    Map<String, ClusterConfig> clusters = new LinkedHashMap<>();
    Map<String, ListenerConfig> listeners = new LinkedHashMap<>();
    List<ResourceInvalidException> errors = new ArrayList<>();
    ConfigIssues issues = ctx.issues();
    var sr = bootstrap.getStaticResources();
    for (int i = 0; i < sr.getClustersCount(); i++) {
      Cluster c = sr.getClusters(i);
      String label = c.getName().isEmpty() ? "static_resources.clusters[" + i + "]" : c.getName();
      issues.beginResource("cluster " + label);
      try {
        ClusterConfig parsed = ClusterResourceType.parse(c, ctx);
        if (clusters.putIfAbsent(parsed.name(), parsed) != null) {
          errors.add(new ResourceInvalidException(parsed.name(), "cluster manager: duplicate cluster '" + parsed.name() + "'"));
        }
      } catch (ResourceInvalidException e) {
        errors.add(e);
      }
    }
    boolean hasCds = bootstrap.getDynamicResources().hasCdsConfig();
    for (int i = 0; i < sr.getListenersCount(); i++) {
      Listener l = sr.getListeners(i);
      String name = l.getName().isEmpty() ? "static_resources.listeners[" + i + "]" : l.getName();
      issues.beginResource("listener " + name);
      try {
        ListenerConfig parsed = ListenerResourceType.parse(l, ctx, name);
        if (!hasCds) {
          checkClusters(parsed, clusters.keySet());
        }
        if (listeners.putIfAbsent(parsed.name(), parsed) != null) {
          errors.add(new ResourceInvalidException(name, "error adding listener: listener with name '" + name
              + "' already exists"));
        }
      } catch (ResourceInvalidException e) {
        errors.add(e);
      }
    }
    checkDuplicateAddresses(listeners, errors);
    return new StaticResources(clusters, listeners, errors, issues.issues());
  }

  /**
   * Envoy's {@code validate_clusters}: an inline route table may only name existing clusters unless
   * it sets {@code validate_clusters: false}.
   */
  private static void checkClusters(ListenerConfig l, Set<String> clusters) throws ResourceInvalidException {
    for (FilterChainConfig fc : l.allFilterChains()) {
      RouteTableConfig t = fc.hcm().routeTable();
      if (t == null || !validateClusters(fc)) {
        continue;
      }
      for (VirtualHostConfig vh : t.virtualHosts()) {
        for (RouteConfig r : vh.routes()) {
          if (!(r.action() instanceof ForwardAction f)) {
            continue;
          }
          if (f.cluster() != null && !clusters.contains(f.cluster())) {
            throw new ResourceInvalidException(l.name(), "route: unknown cluster '" + f.cluster() + "'");
          }
          if (f.weightedClusters() != null) {
            for (WeightedClusterConfig.ClusterWeight w : f.weightedClusters().clusters()) {
              if (w.clusterHeader() == null && !clusters.contains(w.name())) {
                throw new ResourceInvalidException(l.name(), "route: unknown weighted cluster '" + w.name() + "'");
              }
            }
          }
        }
      }
    }
  }

  private static boolean validateClusters(FilterChainConfig fc) {
    var proto = fc.hcm();
    // The flag lives on the RouteConfiguration proto inside the listener; default true when inline.
    return proto.validateClustersOrDefault();
  }

  private static void checkDuplicateAddresses(Map<String, ListenerConfig> listeners, List<ResourceInvalidException> errors) {
    Set<String> seen = new HashSet<>();
    for (ListenerConfig l : listeners.values()) {
      if (l.address().port() == 0 && !l.address().isPipe()) {
        continue;
      }
      if (!seen.add(l.address().toString())) {
        errors.add(new ResourceInvalidException(l.name(), "error adding listener '" + l.address()
            + "': listener '" + l.name() + "' has duplicate address '" + l.address() + "' as existing listener"));
      }
    }
  }
}
