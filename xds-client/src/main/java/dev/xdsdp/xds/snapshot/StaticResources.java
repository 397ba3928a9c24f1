package dev.xdsdp.xds.snapshot;

import dev.xdsdp.xds.resource.ConfigIssues;
import dev.xdsdp.xds.resource.FieldPath;
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
      String label = "cluster " + (c.getName().isEmpty() ? "static_resources.clusters[" + i + "]" : c.getName());
      issues.beginResource(label);
      try {
        ClusterConfig parsed = ClusterResourceType.parse(c, ctx);
        if (clusters.putIfAbsent(parsed.name(), parsed) != null) {
          errors.add(new ResourceInvalidException(label, "cluster manager: duplicate cluster '" + parsed.name() + "'"));
        }
      } catch (ResourceInvalidException e) {
        errors.add(relabel(label, e));
      }
    }
    boolean hasCds = bootstrap.getDynamicResources().hasCdsConfig();
    for (int i = 0; i < sr.getListenersCount(); i++) {
      Listener l = sr.getListeners(i);
      String name = l.getName().isEmpty() ? "static_resources.listeners[" + i + "]" : l.getName();
      String label = "listener " + name;
      issues.beginResource(label);
      try {
        ListenerConfig parsed = ListenerResourceType.parse(l, ctx, name);
        if (!hasCds) {
          checkClusters(parsed, clusters.keySet());
        }
        if (listeners.putIfAbsent(parsed.name(), parsed) != null) {
          errors.add(new ResourceInvalidException(label, "error adding listener: listener with name '" + name
              + "' already exists"));
        }
      } catch (ResourceInvalidException e) {
        errors.add(relabel(label, e));
      }
    }
    checkDuplicateAddresses(listeners, errors);
    return new StaticResources(clusters, listeners, errors, issues.issues());
  }

  /**
   * The error as {@code --mode validate} prints it: named by kind and name ({@code listener ingress}),
   * like the unsupported-setting lines of the same resource, so that a listener and a cluster of the
   * same name cannot be confused.
   */
  private static ResourceInvalidException relabel(String label, ResourceInvalidException e) {
    return new ResourceInvalidException(label, e.getMessage(), e);
  }

  /**
   * Envoy's {@code validate_clusters}: an inline route table may only name existing clusters unless
   * it sets {@code validate_clusters: false}. The error names the field that holds the name.
   */
  private static void checkClusters(ListenerConfig l, Set<String> clusters) throws ResourceInvalidException {
    List<FilterChainConfig> chains = l.filterChains();
    for (int c = 0; c <= chains.size(); c++) {
      FilterChainConfig fc = c < chains.size() ? chains.get(c) : l.defaultFilterChain();
      if (fc == null || !fc.isHttp()) {
        continue;
      }
      RouteTableConfig t = fc.hcm().routeTable();
      if (t == null || !validateClusters(fc)) {
        continue;
      }
      // The connection manager is the chain's only network filter (anything else is rejected).
      FieldPath chain = c < chains.size() ? FieldPath.ROOT.field("filter_chains").index(c)
          : FieldPath.ROOT.field("default_filter_chain");
      FieldPath table = chain.field("filters").index(0).field("typed_config").field("route_config");
      for (int v = 0; v < t.virtualHosts().size(); v++) {
        List<RouteConfig> routes = t.virtualHosts().get(v).routes();
        for (int r = 0; r < routes.size(); r++) {
          if (!(routes.get(r).action() instanceof ForwardAction f)) {
            continue;
          }
          FieldPath action = table.field("virtual_hosts").index(v).field("routes").index(r).field("route");
          if (f.cluster() != null && !clusters.contains(f.cluster())) {
            throw new ResourceInvalidException(l.name(), action.field("cluster").prefix()
                + "route: unknown cluster '" + f.cluster() + "'");
          }
          if (f.weightedClusters() != null) {
            List<WeightedClusterConfig.ClusterWeight> weights = f.weightedClusters().clusters();
            for (int w = 0; w < weights.size(); w++) {
              WeightedClusterConfig.ClusterWeight cw = weights.get(w);
              if (cw.clusterHeader() == null && !clusters.contains(cw.name())) {
                throw new ResourceInvalidException(l.name(), action.field("weighted_clusters").field("clusters").index(w)
                    .field("name").prefix() + "route: unknown weighted cluster '" + cw.name() + "'");
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
        errors.add(new ResourceInvalidException("listener " + l.name(), "error adding listener '" + l.address()
            + "': listener '" + l.name() + "' has duplicate address '" + l.address() + "' as existing listener"));
      }
    }
  }
}
