package dev.xdsdp.dataplane.admin;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.xdsdp.xds.resource.cluster.ClusterResourceType;
import dev.xdsdp.xds.resource.listener.ListenerResourceType;
import dev.xdsdp.xds.resource.route.RouteConfigurationResourceType;
import dev.xdsdp.xds.snapshot.ConfigSnapshot;
import dev.xdsdp.xds.snapshot.ResourceStatus;
import io.envoyproxy.envoy.admin.v3.ClientResourceStatus;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.EcdsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.admin.v3.UpdateFailureState;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The {@code /config_dump} sections for what the control plane sent: dynamic clusters, listeners,
 * route configurations and ECDS filters with their versions, last-updated times, warming state and
 * the last NACK per resource ({@code error_state}), over the static sections of
 * {@link StaticConfigDumps}.
 */
public final class XdsConfigDumps {

  static final String ECDS_TYPE = "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig";

  private final StaticConfigDumps statics;
  private final Supplier<ConfigSnapshot> snapshot;

  public XdsConfigDumps(AdminContext context, Supplier<ConfigSnapshot> snapshot) {
    this.statics = new StaticConfigDumps(context);
    this.snapshot = snapshot;
  }

  /** Replaces the tracker's cluster, listener and route sections and adds the ECDS one. */
  public static void register(ConfigTracker tracker, AdminContext context, Supplier<ConfigSnapshot> snapshot) {
    XdsConfigDumps dumps = new XdsConfigDumps(context, snapshot);
    tracker.put(ConfigTracker.CLUSTERS, dumps::clusters);
    tracker.put(ConfigTracker.LISTENERS, dumps::listeners);
    tracker.put(ConfigTracker.ROUTES, dumps::routes);
    tracker.put(ConfigTracker.ECDS_FILTER_HTTP, dumps::ecds);
  }

  public ClustersConfigDump clusters(Predicate<String> names) {
    ConfigSnapshot s = snapshot.get();
    ClustersConfigDump base = statics.clusters(names);
    ClustersConfigDump.Builder dump = ClustersConfigDump.newBuilder()
        .setVersionInfo(s.typeVersions().getOrDefault(ClusterResourceType.TYPE_URL, ""))
        .addAllStaticClusters(base.getStaticClustersList());
    Map<String, ResourceStatus> statuses = s.statuses(ClusterResourceType.TYPE_URL);
    for (var c : new TreeMap<>(s.clusters()).values()) {
      if (names.test(c.name())) {
        dump.addDynamicActiveClusters(dynamicCluster(c.source(), statuses.get(c.name()), ClientResourceStatus.ACKED));
      }
    }
    for (var c : new TreeMap<>(s.warmingClusters()).values()) {
      if (names.test(c.name())) {
        dump.addDynamicWarmingClusters(dynamicCluster(c.source(), statuses.get(c.name()), ClientResourceStatus.ACKED));
      }
    }
    for (ResourceStatus st : new TreeMap<>(statuses).values()) {
      if (names.test(st.name()) && !s.clusters().containsKey(st.name()) && !s.warmingClusters().containsKey(st.name())
          && st.state() == ResourceStatus.State.NACKED) {
        dump.addDynamicActiveClusters(ClustersConfigDump.DynamicCluster.newBuilder()
            .setErrorState(errorState(st)).setClientStatus(ClientResourceStatus.NACKED));
      }
    }
    return dump.build();
  }

  private static ClustersConfigDump.DynamicCluster dynamicCluster(Message source, ResourceStatus st, ClientResourceStatus cs) {
    ClustersConfigDump.DynamicCluster.Builder b = ClustersConfigDump.DynamicCluster.newBuilder().setCluster(Any.pack(source));
    if (st != null) {
      b.setVersionInfo(st.version()).setClientStatus(clientStatus(st));
      if (st.lastUpdated() != null) {
        b.setLastUpdated(timestamp(st.lastUpdated()));
      }
      if (!st.errorDetails().isEmpty()) {
        b.setErrorState(errorState(st));
      }
    } else {
      b.setClientStatus(cs);
    }
    return b.build();
  }

  public ListenersConfigDump listeners(Predicate<String> names) {
    ConfigSnapshot s = snapshot.get();
    ListenersConfigDump base = statics.listeners(names);
    ListenersConfigDump.Builder dump = ListenersConfigDump.newBuilder()
        .setVersionInfo(s.typeVersions().getOrDefault(ListenerResourceType.TYPE_URL, ""))
        .addAllStaticListeners(base.getStaticListenersList());
    Map<String, ResourceStatus> statuses = s.statuses(ListenerResourceType.TYPE_URL);
    TreeMap<String, ListenersConfigDump.DynamicListener.Builder> byName = new TreeMap<>();
    s.listeners().forEach((name, l) -> {
      if (names.test(name)) {
        byName.computeIfAbsent(name, n -> ListenersConfigDump.DynamicListener.newBuilder().setName(n))
            .setActiveState(state(l.source(), statuses.get(name)));
      }
    });
    s.warmingListeners().forEach((name, l) -> {
      if (names.test(name)) {
        byName.computeIfAbsent(name, n -> ListenersConfigDump.DynamicListener.newBuilder().setName(n))
            .setWarmingState(state(l.source(), statuses.get(name)));
      }
    });
    for (ResourceStatus st : statuses.values()) {
      if (names.test(st.name())) {
        var b = byName.computeIfAbsent(st.name(), n -> ListenersConfigDump.DynamicListener.newBuilder().setName(n));
        b.setClientStatus(clientStatus(st));
        if (!st.errorDetails().isEmpty()) {
          b.setErrorState(errorState(st));
        }
      }
    }
    byName.values().forEach(b -> dump.addDynamicListeners(b));
    return dump.build();
  }

  private static ListenersConfigDump.DynamicListenerState state(Message source, ResourceStatus st) {
    ListenersConfigDump.DynamicListenerState.Builder b = ListenersConfigDump.DynamicListenerState.newBuilder()
        .setListener(Any.pack(source));
    if (st != null) {
      b.setVersionInfo(st.version());
      if (st.lastUpdated() != null) {
        b.setLastUpdated(timestamp(st.lastUpdated()));
      }
    }
    return b.build();
  }

  public RoutesConfigDump routes(Predicate<String> names) {
    ConfigSnapshot s = snapshot.get();
    RoutesConfigDump.Builder dump = statics.routes(names).toBuilder();
    Map<String, ResourceStatus> statuses = s.statuses(RouteConfigurationResourceType.TYPE_URL);
    for (ResourceStatus st : new TreeMap<>(statuses).values()) {
      if (!names.test(st.name())) {
        continue;
      }
      RoutesConfigDump.DynamicRouteConfig.Builder b = RoutesConfigDump.DynamicRouteConfig.newBuilder()
          .setVersionInfo(st.version()).setClientStatus(clientStatus(st));
      if (st.lastAccepted() != null) {
        b.setRouteConfig(Any.pack(st.lastAccepted()));
      }
      if (st.lastUpdated() != null) {
        b.setLastUpdated(timestamp(st.lastUpdated()));
      }
      if (!st.errorDetails().isEmpty()) {
        b.setErrorState(errorState(st));
      }
      dump.addDynamicRouteConfigs(b);
    }
    return dump.build();
  }

  public EcdsConfigDump ecds(Predicate<String> names) {
    ConfigSnapshot s = snapshot.get();
    EcdsConfigDump.Builder dump = EcdsConfigDump.newBuilder();
    Map<String, ResourceStatus> statuses = s.statuses(ECDS_TYPE);
    for (ResourceStatus st : new TreeMap<>(statuses).values()) {
      if (!names.test(st.name())) {
        continue;
      }
      EcdsConfigDump.EcdsFilterConfig.Builder b = EcdsConfigDump.EcdsFilterConfig.newBuilder()
          .setVersionInfo(st.version()).setClientStatus(clientStatus(st));
      if (st.lastAccepted() != null) {
        Message m = st.lastAccepted();
        b.setEcdsFilter(m instanceof TypedExtensionConfig ? Any.pack(m) : Any.pack(m));
      }
      if (st.lastUpdated() != null) {
        b.setLastUpdated(timestamp(st.lastUpdated()));
      }
      if (!st.errorDetails().isEmpty()) {
        b.setErrorState(errorState(st));
      }
      dump.addEcdsFilters(b);
    }
    return dump.build();
  }

  private static UpdateFailureState errorState(ResourceStatus st) {
    UpdateFailureState.Builder b = UpdateFailureState.newBuilder()
        .setDetails(st.errorDetails()).setVersionInfo(st.errorVersion());
    if (st.errorTime() != null) {
      b.setLastUpdateAttempt(timestamp(st.errorTime()));
    }
    if (st.rejected() != null) {
      b.setFailedConfiguration(Any.pack(st.rejected()));
    }
    return b.build();
  }

  private static ClientResourceStatus clientStatus(ResourceStatus st) {
    return switch (st.state()) {
      case REQUESTED -> ClientResourceStatus.REQUESTED;
      case DOES_NOT_EXIST -> ClientResourceStatus.DOES_NOT_EXIST;
      case ACKED -> ClientResourceStatus.ACKED;
      case NACKED -> ClientResourceStatus.NACKED;
    };
  }

  private static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
