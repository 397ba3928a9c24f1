package dev.xdsdp.dataplane.admin;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UInt32Value;
import dev.xdsdp.dataplane.listener.ActiveListener;
import dev.xdsdp.dataplane.upstream.Cluster;
import dev.xdsdp.dataplane.upstream.Host;
import dev.xdsdp.dataplane.upstream.HostSet;
import io.envoyproxy.envoy.admin.v3.BootstrapConfigDump;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.admin.v3.ScopedRoutesConfigDump;
import io.envoyproxy.envoy.admin.v3.SecretsConfigDump;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The {@code /config_dump} sections of what the bootstrap configured, as Envoy shows them:
 * {@code BootstrapConfigDump}, the static clusters, listeners and inline route configurations with
 * their {@code last_updated}, an empty {@code ScopedRoutesConfigDump}, the static secrets (redacted
 * later, with the whole dump), and, for {@code ?include_eds}, the endpoints of every cluster as its
 * hosts are now.
 *
 * <p>Clusters and listeners that are running but not in the bootstrap (added through xDS) are
 * shown as dynamic, with what is known here (no version); the xDS client replaces these sources
 * with its own to add versions, warming state and errors. Each method is public so that such a
 * replacement can start from the static part.
 */
public final class StaticConfigDumps {

  /** Envoy's default {@code overprovisioning_factor}. */
  private static final int DEFAULT_OVERPROVISIONING = 140;

  private final AdminContext context;

  public StaticConfigDumps(AdminContext context) {
    this.context = context;
  }

  /** Registers the bootstrap, clusters, listeners, route_scopes, routes and secrets sources. */
  public static void register(ConfigTracker tracker, AdminContext context) {
    StaticConfigDumps dumps = new StaticConfigDumps(context);
    tracker.add(ConfigTracker.BOOTSTRAP, m -> dumps.bootstrap());
    tracker.add(ConfigTracker.CLUSTERS, dumps::clusters);
    tracker.add(ConfigTracker.LISTENERS, dumps::listeners);
    tracker.add(ConfigTracker.ROUTE_SCOPES, m -> ScopedRoutesConfigDump.getDefaultInstance());
    tracker.add(ConfigTracker.ROUTES, dumps::routes);
    tracker.add(ConfigTracker.SECRETS, dumps::secrets);
  }

  /** The bootstrap with the time it was loaded; Envoy ignores {@code name_regex} here. */
  public BootstrapConfigDump bootstrap() {
    return BootstrapConfigDump.newBuilder()
        .setBootstrap(context.bootstrap())
        .setLastUpdated(loadedAt())
        .build();
  }

  /** Running clusters by name: bootstrap ones as {@code static_clusters}, others as dynamic. */
  public ClustersConfigDump clusters(Predicate<String> names) {
    Set<String> statics = AdminProtos.staticClusterNames(context.bootstrap());
    ClustersConfigDump.Builder dump = ClustersConfigDump.newBuilder();
    for (Cluster c : sortedClusters()) {
      if (!names.test(c.name())) {
        continue;
      }
      Any cluster = Any.pack(c.config().source());
      if (statics.contains(c.name())) {
        dump.addStaticClusters(ClustersConfigDump.StaticCluster.newBuilder()
            .setCluster(cluster)
            .setLastUpdated(loadedAt()));
      } else {
        dump.addDynamicActiveClusters(ClustersConfigDump.DynamicCluster.newBuilder().setCluster(cluster));
      }
    }
    return dump.build();
  }

  /** Running listeners in the order they were added: bootstrap ones as {@code static_listeners}. */
  public ListenersConfigDump listeners(Predicate<String> names) {
    Set<String> statics = AdminProtos.staticListenerNames(context.bootstrap());
    ListenersConfigDump.Builder dump = ListenersConfigDump.newBuilder();
    for (ActiveListener l : context.listeners()) {
      if (!names.test(l.name())) {
        continue;
      }
      Any listener = Any.pack(l.config().source());
      if (statics.contains(l.name())) {
        dump.addStaticListeners(ListenersConfigDump.StaticListener.newBuilder()
            .setListener(listener)
            .setLastUpdated(loadedAt()));
      } else {
        dump.addDynamicListeners(ListenersConfigDump.DynamicListener.newBuilder()
            .setName(l.name())
            .setActiveState(ListenersConfigDump.DynamicListenerState.newBuilder().setListener(listener)));
      }
    }
    return dump.build();
  }

  /**
   * The inline {@code route_config} of every running listener's connection managers, as Envoy's
   * static route config providers: {@code static_route_configs}, one per connection manager.
   */
  public RoutesConfigDump routes(Predicate<String> names) {
    Set<String> statics = AdminProtos.staticListenerNames(context.bootstrap());
    RoutesConfigDump.Builder dump = RoutesConfigDump.newBuilder();
    for (ActiveListener l : context.listeners()) {
      if (!(l.config().source() instanceof Listener proto)) {
        continue;
      }
      List<FilterChain> chains = new ArrayList<>(proto.getFilterChainsList());
      if (proto.hasDefaultFilterChain()) {
        chains.add(proto.getDefaultFilterChain());
      }
      for (FilterChain chain : chains) {
        for (Filter f : chain.getFiltersList()) {
          HttpConnectionManager hcm = hcmOf(f);
          if (hcm == null || !hcm.hasRouteConfig() || !names.test(hcm.getRouteConfig().getName())) {
            continue;
          }
          RoutesConfigDump.StaticRouteConfig.Builder route = RoutesConfigDump.StaticRouteConfig.newBuilder()
              .setRouteConfig(Any.pack(hcm.getRouteConfig()));
          if (statics.contains(l.name())) {
            route.setLastUpdated(loadedAt());
          }
          dump.addStaticRouteConfigs(route);
        }
      }
    }
    return dump.build();
  }

  /** The bootstrap's {@code static_resources.secrets}, unredacted (the dump is redacted whole). */
  public SecretsConfigDump secrets(Predicate<String> names) {
    SecretsConfigDump.Builder dump = SecretsConfigDump.newBuilder();
    for (Secret s : context.bootstrap().getStaticResources().getSecretsList()) {
      if (names.test(s.getName())) {
        dump.addStaticSecrets(SecretsConfigDump.StaticSecret.newBuilder().setName(s.getName()).setSecret(Any.pack(s)));
      }
    }
    return dump.build();
  }

  /**
   * Envoy's {@code dumpEndpointConfigs}: each cluster's hosts as they are now (resolved DNS
   * addresses, current health), grouped by priority and locality, under the EDS service name or
   * the cluster name.
   */
  public EndpointsConfigDump endpoints(Predicate<String> names) {
    Set<String> statics = AdminProtos.staticClusterNames(context.bootstrap());
    EndpointsConfigDump.Builder dump = EndpointsConfigDump.newBuilder();
    for (Cluster c : sortedClusters()) {
      ClusterLoadAssignment cla = loadAssignment(c);
      if (!names.test(cla.getClusterName())) {
        continue;
      }
      if (statics.contains(c.name())) {
        dump.addStaticEndpointConfigs(
            EndpointsConfigDump.StaticEndpointConfig.newBuilder().setEndpointConfig(Any.pack(cla)));
      } else {
        dump.addDynamicEndpointConfigs(
            EndpointsConfigDump.DynamicEndpointConfig.newBuilder().setEndpointConfig(Any.pack(cla)));
      }
    }
    return dump.build();
  }

  static ClusterLoadAssignment loadAssignment(Cluster c) {
    String eds = edsServiceName(c);
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder()
        .setClusterName(eds.isEmpty() ? c.name() : eds);
    int overprovisioning = c.config().loadAssignment() != null
        ? c.config().loadAssignment().overprovisioningFactor()
        : DEFAULT_OVERPROVISIONING;
    cla.getPolicyBuilder().setOverprovisioningFactor(UInt32Value.of(overprovisioning));
    for (HostSet.Priority p : c.hostSet().priorities()) {
      Map<String, List<Host>> byLocality = new LinkedHashMap<>();
      for (Host h : p.hosts()) {
        byLocality.computeIfAbsent(h.locality(), k -> new ArrayList<>()).add(h);
      }
      for (Map.Entry<String, List<Host>> e : byLocality.entrySet()) {
        LocalityLbEndpoints.Builder locality = cla.addEndpointsBuilder()
            .setLocality(locality(e.getKey()))
            .setPriority(p.priority());
        for (Host h : e.getValue()) {
          locality.addLbEndpoints(LbEndpoint.newBuilder()
              .setEndpoint(Endpoint.newBuilder()
                  .setAddress(AdminProtos.address(h.address()))
                  .setHealthCheckConfig(Endpoint.HealthCheckConfig.getDefaultInstance())
                  .setHostname(h.hostname()))
              .setHealthStatus(healthStatus(h))
              .setLoadBalancingWeight(UInt32Value.of(h.weight())));
        }
      }
    }
    return cla.build();
  }

  /** Envoy's {@code Host::coarseHealth}. */
  static HealthStatus healthStatus(Host h) {
    if (!h.healthy()) {
      return HealthStatus.UNHEALTHY;
    }
    return h.degraded() ? HealthStatus.DEGRADED : HealthStatus.HEALTHY;
  }

  /** The locality of a host, kept by {@link Host} as {@code region/zone/sub_zone}. */
  static Locality locality(String regionZoneSubZone) {
    String[] parts = regionZoneSubZone.split("/", 3);
    return Locality.newBuilder()
        .setRegion(parts.length > 0 ? parts[0] : "")
        .setZone(parts.length > 1 ? parts[1] : "")
        .setSubZone(parts.length > 2 ? parts[2] : "")
        .build();
  }

  /** The {@code eds_cluster_config.service_name} a cluster was configured with, or "". */
  static String edsServiceName(Cluster c) {
    Message source = c.config().source();
    if (source instanceof io.envoyproxy.envoy.config.cluster.v3.Cluster proto && proto.hasEdsClusterConfig()) {
      return proto.getEdsClusterConfig().getServiceName();
    }
    return "";
  }

  private List<Cluster> sortedClusters() {
    List<Cluster> clusters = new ArrayList<>(context.clusterManager().all());
    clusters.sort(Comparator.comparing(Cluster::name));
    return clusters;
  }

  private Timestamp loadedAt() {
    return AdminProtos.timestamp(context.configLoadedAt());
  }

  /** The connection manager a network filter configures, or null (other filters, TypedStructs). */
  private static HttpConnectionManager hcmOf(Filter f) {
    if (!f.hasTypedConfig() || !f.getTypedConfig().is(HttpConnectionManager.class)) {
      return null;
    }
    try {
      return f.getTypedConfig().unpack(HttpConnectionManager.class);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }
}
