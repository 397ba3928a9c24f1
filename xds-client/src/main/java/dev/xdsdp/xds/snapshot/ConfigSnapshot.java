package dev.xdsdp.xds.snapshot;

import dev.xdsdp.xds.resource.cluster.ClusterConfig;
import dev.xdsdp.xds.resource.endpoint.LoadAssignmentConfig;
import dev.xdsdp.xds.resource.listener.ListenerConfig;
import dev.xdsdp.xds.resource.route.RouteTableConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the control plane has configured, as one immutable value, published after every
 * accepted change. The data plane diffs it against what runs and applies the difference; a stream
 * keeps the snapshot it started with.
 *
 * <p>Only resources that are ready appear in the active maps: a listener is active once the route
 * configurations and extension configs it names have arrived (or its {@code initial_fetch_timeout}
 * has passed), a cluster once its endpoints have arrived (EDS clusters). Until then they are
 * warming, visible only to {@code /config_dump}. Static resources from the bootstrap are not here.
 *
 * @param listeners active dynamic listeners by name (LDS)
 * @param warmingListeners listeners waiting for RDS or ECDS, by name
 * @param routeConfigs route configurations by name (RDS)
 * @param clusters active dynamic clusters by name (CDS)
 * @param warmingClusters clusters waiting for their endpoints, by name
 * @param endpoints endpoints by EDS service name
 * @param extensionConfigs ECDS configs by resource name
 * @param statuses per type URL, per resource name: versions, times and errors for config_dump
 * @param typeVersions per type URL, the last accepted {@code version_info} (SotW) or system version
 * @param initialized true once the initial fetch is over: the first LDS and CDS responses and the
 *     resources they depend on have arrived (or their {@code initial_fetch_timeout}s expired); the
 *     server reports LIVE from then on
 * @param published when this snapshot was made
 */
public record ConfigSnapshot(
    Map<String, ListenerConfig> listeners,
    Map<String, ListenerConfig> warmingListeners,
    Map<String, RouteTableConfig> routeConfigs,
    Map<String, ClusterConfig> clusters,
    Map<String, ClusterConfig> warmingClusters,
    Map<String, LoadAssignmentConfig> endpoints,
    Map<String, ExtensionConfig> extensionConfigs,
    Map<String, Map<String, ResourceStatus>> statuses,
    Map<String, String> typeVersions,
    boolean initialized,
    Instant published) {

  public static final ConfigSnapshot EMPTY = new ConfigSnapshot(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(),
      Map.of(), Map.of(), Map.of(), Map.of(), false, Instant.EPOCH);

  public ConfigSnapshot {
    listeners = Map.copyOf(listeners);
    warmingListeners = Map.copyOf(warmingListeners);
    routeConfigs = Map.copyOf(routeConfigs);
    clusters = Map.copyOf(clusters);
    warmingClusters = Map.copyOf(warmingClusters);
    endpoints = Map.copyOf(endpoints);
    extensionConfigs = Map.copyOf(extensionConfigs);
    statuses = Map.copyOf(statuses);
    typeVersions = Map.copyOf(typeVersions);
  }

  /** Statuses of one type, by name (empty when none). */
  public Map<String, ResourceStatus> statuses(String typeUrl) {
    return statuses.getOrDefault(typeUrl, Map.of());
  }

  /** Names of every listener, active or warming. */
  public List<String> allListenerNames() {
    var all = new java.util.TreeSet<>(listeners.keySet());
    all.addAll(warmingListeners.keySet());
    return List.copyOf(all);
  }
}
