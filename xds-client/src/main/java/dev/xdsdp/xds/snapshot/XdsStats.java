package dev.xdsdp.xds.snapshot;

import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.xds.client.ResponseListener;
import dev.xdsdp.xds.client.XxHash64;
import dev.xdsdp.xds.resource.XdsResourceType;
import dev.xdsdp.xds.resource.XdsResourceTypes;
import dev.xdsdp.xds.resource.cluster.ClusterConfig;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Envoy's xDS subscription stats, with Envoy's names:
 * {@code listener_manager.lds.*} and {@code cluster_manager.cds.*} ({@code update_attempt},
 * {@code update_success}, {@code update_failure}, {@code update_rejected}, {@code update_time},
 * {@code version}, {@code init_fetch_timeout}); per route configuration
 * {@code http.<stat_prefix>.rds.<name>.*} (also {@code config_reload} and {@code update_empty});
 * per EDS cluster {@code cluster.<name>.*}; per ECDS resource
 * {@code extension_config_discovery.http_filter.<name>.{config_reload,config_fail,config_conflict}}.
 * {@code version} is the xxHash64 of the {@code version_info}, as Envoy's gauge. Runs on the xDS
 * context.
 */
public final class XdsStats implements ResponseListener {

  private final StatsScope root;
  private final Clock clock;
  private final StatsScope lds;
  private final StatsScope cds;
  private Map<String, String> rdsPrefixes = Map.of();
  private Map<String, List<String>> edsClusters = Map.of();
  private final Map<String, String> rdsScopeOwner = new HashMap<>();
  private final Map<String, StatsScope> rdsScopes = new HashMap<>();

  public XdsStats(StatsScope root, Clock clock) {
    this.root = root;
    this.clock = clock;
    this.lds = root.scope("listener_manager").scope("lds");
    this.cds = root.scope("cluster_manager").scope("cds");
    for (StatsScope s : List.of(lds, cds)) {
      // Made up front so that /stats shows them (at zero) before the first response, as Envoy does.
      for (String c : List.of("update_attempt", "update_success", "update_failure", "update_rejected",
          "init_fetch_timeout")) {
        s.counter(c);
      }
      s.gauge("update_time");
      s.gauge("version");
    }
  }

  /** Route configuration name to the {@code stat_prefix} of the first connection manager naming it. */
  void setRdsStatPrefixes(Map<String, String> prefixes) {
    this.rdsPrefixes = Map.copyOf(prefixes);
  }

  /** EDS service name to the stat names of the clusters using it. */
  void setEdsClusters(Map<String, List<String>> clusters) {
    this.edsClusters = Map.copyOf(clusters);
  }

  /** An ECDS config's type did not fit a filter's {@code type_urls}. */
  void ecdsConflict(String name) {
    ecds(name).counter("config_conflict").inc();
  }

  /** A changed EDS cluster got no fresh endpoints in time. */
  void edsFetchTimeout(ClusterConfig c) {
    root.scope("cluster").scope(c.statName()).counter("init_fetch_timeout").inc();
  }

  private StatsScope ecds(String name) {
    return root.scope("extension_config_discovery").scope("http_filter").scope(name);
  }

  private StatsScope rds(String name) {
    // Envoy keeps the scope of the connection manager that first subscribed the name.
    String owner = rdsScopeOwner.computeIfAbsent(name, rdsPrefixes::get);
    if (owner == null) {
      return null;
    }
    return rdsScopes.computeIfAbsent(name, n -> root.scope("http").scope(owner).scope("rds").scope(n));
  }

  @Override
  public void onResponse(XdsResourceType<?> type, String version, Set<String> accepted, Set<String> changed,
      Map<String, String> rejected, Set<String> absent, String nackError) {
    long now = clock.millis();
    if (type == XdsResourceTypes.LISTENER || type == XdsResourceTypes.CLUSTER) {
      StatsScope s = type == XdsResourceTypes.LISTENER ? lds : cds;
      s.counter("update_attempt").inc();
      if (nackError == null) {
        s.counter("update_success").inc();
        s.gauge("update_time").set(now);
        s.gauge("version").set(XxHash64.hash(version));
      } else {
        s.counter("update_rejected").inc();
      }
      return;
    }
    if (type == XdsResourceTypes.ROUTE) {
      for (String name : accepted) {
        StatsScope s = rds(name);
        if (s != null) {
          s.counter("update_attempt").inc();
          s.counter("update_success").inc();
          s.gauge("update_time").set(now);
          s.gauge("version").set(XxHash64.hash(version));
          if (changed.contains(name)) {
            s.counter("config_reload").inc();
            s.gauge("config_reload_time_ms").set(now);
          }
        }
      }
      rejected.keySet().forEach(name -> count(rds(name), "update_rejected"));
      absent.forEach(name -> count(rds(name), "update_empty"));
      return;
    }
    if (type == XdsResourceTypes.ENDPOINT) {
      for (String name : accepted) {
        for (String cluster : edsClusters.getOrDefault(name, List.of())) {
          StatsScope s = root.scope("cluster").scope(cluster);
          s.counter("update_attempt").inc();
          s.counter("update_success").inc();
          s.gauge("update_time").set(now);
          s.gauge("version").set(XxHash64.hash(version));
        }
      }
      rejected.keySet().forEach(name -> edsClusters.getOrDefault(name, List.of())
          .forEach(c -> count(root.scope("cluster").scope(c), "update_rejected")));
      absent.forEach(name -> edsClusters.getOrDefault(name, List.of())
          .forEach(c -> count(root.scope("cluster").scope(c), "update_empty")));
      return;
    }
    if (type == XdsResourceTypes.EXTENSION_CONFIG) {
      changed.forEach(name -> ecds(name).counter("config_reload").inc());
      rejected.keySet().forEach(name -> {
        if (!name.isEmpty()) {
          ecds(name).counter("config_fail").inc();
        }
      });
    }
  }

  private static void count(StatsScope s, String name) {
    if (s != null) {
      s.counter("update_attempt").inc();
      s.counter(name).inc();
    }
  }

  @Override
  public void onFetchTimeout(XdsResourceType<?> type, String name) {
    if (type == XdsResourceTypes.LISTENER) {
      lds.counter("init_fetch_timeout").inc();
    } else if (type == XdsResourceTypes.CLUSTER) {
      cds.counter("init_fetch_timeout").inc();
    } else if (type == XdsResourceTypes.ROUTE) {
      StatsScope s = rds(name);
      if (s != null) {
        s.counter("init_fetch_timeout").inc();
      }
    } else if (type == XdsResourceTypes.ENDPOINT) {
      edsClusters.getOrDefault(name, List.of())
          .forEach(c -> root.scope("cluster").scope(c).counter("init_fetch_timeout").inc());
    } else if (type == XdsResourceTypes.EXTENSION_CONFIG) {
      ecds(name).counter("config_fail").inc();
    }
  }

  @Override
  public void onStreamFailure() {
    for (StatsScope s : List.of(lds, cds)) {
      s.counter("update_attempt").inc();
      s.counter("update_failure").inc();
    }
    for (String name : rdsPrefixes.keySet()) {
      count(rds(name), "update_failure");
    }
    edsClusters.values().forEach(cs -> cs.forEach(c -> count(root.scope("cluster").scope(c), "update_failure")));
  }
}
