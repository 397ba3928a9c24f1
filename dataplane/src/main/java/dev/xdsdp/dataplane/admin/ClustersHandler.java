package dev.xdsdp.dataplane.admin;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import dev.xdsdp.dataplane.upstream.Cluster;
import dev.xdsdp.dataplane.upstream.Host;
import dev.xdsdp.dataplane.upstream.HostSet;
import dev.xdsdp.dataplane.upstream.ResourceManager;
import io.envoyproxy.envoy.admin.v3.ClusterStatus;
import io.envoyproxy.envoy.admin.v3.Clusters;
import io.envoyproxy.envoy.admin.v3.HostHealthStatus;
import io.envoyproxy.envoy.admin.v3.HostStatus;
import io.envoyproxy.envoy.admin.v3.SimpleMetric;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * {@code /clusters}: every cluster's circuit breakers and every host's counters, health and
 * placement, in Envoy's {@code cluster::host::name::value} text lines or, with
 * {@code ?format=json}, as {@code envoy.admin.v3.Clusters}. Clusters are listed by name.
 */
final class ClustersHandler {

  /** Envoy's defaults for a priority without configured thresholds. */
  private static final int DEFAULT_MAX = 1024;
  private static final int DEFAULT_MAX_RETRIES = 3;

  private final AdminContext context;

  ClustersHandler(AdminContext context) {
    this.context = context;
  }

  List<AdminEndpoint> endpoints() {
    return List.of(AdminEndpoint.get("/clusters", "upstream cluster status", this::clusters,
        AdminEndpoint.Param.oneOf("format", "The output format", "text", "json")));
  }

  AdminResponse clusters(AdminRequest request) throws InvalidProtocolBufferException {
    List<Cluster> clusters = new ArrayList<>(context.clusterManager().all());
    clusters.sort(Comparator.comparing(Cluster::name));
    Set<String> statics = AdminProtos.staticClusterNames(context.bootstrap());
    if (request.nonEmpty("format").filter("json"::equals).isPresent()) {
      return AdminResponse.json(AdminJson.print(json(clusters, statics), false));
    }
    return AdminResponse.ok(text(clusters, statics));
  }

  /** A host's stats: Envoy's per-host counters, then its gauges. */
  private record HostStat(String name, long value, boolean gauge) {}

  private static List<HostStat> hostStats(Host h) {
    return List.of(
        new HostStat("cx_connect_fail", h.failedConnections(), false),
        // Connections and timeouts are not counted per host here.
        new HostStat("cx_total", 0, false),
        new HostStat("rq_error", h.errorRequests(), false),
        new HostStat("rq_success", h.successRequests(), false),
        new HostStat("rq_timeout", 0, false),
        new HostStat("rq_total", h.totalRequests(), false),
        new HostStat("cx_active", h.activeConnections().get(), true),
        new HostStat("rq_active", h.activeRequests(), true));
  }

  private static String text(List<Cluster> clusters, Set<String> statics) {
    StringBuilder out = new StringBuilder();
    for (Cluster c : clusters) {
      String name = c.name();
      line(out, name, "observability_name", c.config().statName());
      ResourceManager rm = c.resources();
      thresholdLines(out, name, "default", rm.connections().max(), rm.pendingRequests().max(), rm.requests().max(),
          rm.retries().max());
      CircuitBreakers.Thresholds high = highThresholds(c);
      thresholdLines(out, name, "high", orDefault(high.getMaxConnections(), high.hasMaxConnections(), DEFAULT_MAX),
          orDefault(high.getMaxPendingRequests(), high.hasMaxPendingRequests(), DEFAULT_MAX),
          orDefault(high.getMaxRequests(), high.hasMaxRequests(), DEFAULT_MAX),
          orDefault(high.getMaxRetries(), high.hasMaxRetries(), DEFAULT_MAX_RETRIES));
      line(out, name, "added_via_api", Boolean.toString(!statics.contains(name)));
      String eds = StaticConfigDumps.edsServiceName(c);
      if (!eds.isEmpty()) {
        line(out, name, "eds_service_name", eds);
      }
      for (HostSet.Priority p : c.hostSet().priorities()) {
        for (Host h : p.hosts()) {
          String prefix = name + "::" + h.address();
          List<HostStat> stats = new ArrayList<>(hostStats(h));
          stats.sort(Comparator.comparing(HostStat::name));
          for (HostStat s : stats) {
            line(out, prefix, s.name(), Long.toString(s.value()));
          }
          var locality = StaticConfigDumps.locality(h.locality());
          line(out, prefix, "hostname", h.hostname());
          line(out, prefix, "health_flags", healthFlags(h));
          line(out, prefix, "weight", Integer.toString(h.weight()));
          line(out, prefix, "region", locality.getRegion());
          line(out, prefix, "zone", locality.getZone());
          line(out, prefix, "sub_zone", locality.getSubZone());
          line(out, prefix, "canary", "false");
          line(out, prefix, "priority", Integer.toString(h.priority()));
          // No outlier detection here: Envoy prints -1 for "no success rate".
          line(out, prefix, "success_rate", "-1");
          line(out, prefix, "local_origin_success_rate", "-1");
        }
      }
    }
    return out.toString();
  }

  private static void thresholdLines(StringBuilder out, String cluster, String priority, long maxConnections,
      long maxPending, long maxRequests, long maxRetries) {
    String p = cluster + "::" + priority + "_priority";
    line(out, p, "max_connections", Long.toString(maxConnections));
    line(out, p, "max_pending_requests", Long.toString(maxPending));
    line(out, p, "max_requests", Long.toString(maxRequests));
    line(out, p, "max_retries", Long.toString(maxRetries));
  }

  private static void line(StringBuilder out, String prefix, String key, String value) {
    out.append(prefix).append("::").append(key).append("::").append(value).append('\n');
  }

  /** Envoy's {@code HostUtility::healthFlagsToString}, for the flags a host here can carry. */
  static String healthFlags(Host h) {
    StringBuilder flags = new StringBuilder();
    if (!h.healthy()) {
      flags.append("/failed_eds_health");
    }
    if (h.degraded()) {
      flags.append("/degraded_eds_health");
    }
    return flags.isEmpty() ? "healthy" : flags.toString();
  }

  private static Clusters json(List<Cluster> clusters, Set<String> statics) {
    Clusters.Builder out = Clusters.newBuilder();
    for (Cluster c : clusters) {
      ClusterStatus.Builder status = out.addClusterStatusesBuilder()
          .setName(c.name())
          .setObservabilityName(c.config().statName())
          .setAddedViaApi(!statics.contains(c.name()))
          .setEdsServiceName(StaticConfigDumps.edsServiceName(c));
      ResourceManager rm = c.resources();
      status.getCircuitBreakersBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
          .setPriority(RoutingPriority.DEFAULT)
          .setMaxConnections(UInt32Value.of(rm.connections().max()))
          .setMaxPendingRequests(UInt32Value.of(rm.pendingRequests().max()))
          .setMaxRequests(UInt32Value.of(rm.requests().max()))
          .setMaxRetries(UInt32Value.of(rm.retries().max())));
      CircuitBreakers.Thresholds high = highThresholds(c);
      status.getCircuitBreakersBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
          .setPriority(RoutingPriority.HIGH)
          .setMaxConnections(UInt32Value.of(orDefault(high.getMaxConnections(), high.hasMaxConnections(), DEFAULT_MAX)))
          .setMaxPendingRequests(UInt32Value.of(
              orDefault(high.getMaxPendingRequests(), high.hasMaxPendingRequests(), DEFAULT_MAX)))
          .setMaxRequests(UInt32Value.of(orDefault(high.getMaxRequests(), high.hasMaxRequests(), DEFAULT_MAX)))
          .setMaxRetries(UInt32Value.of(orDefault(high.getMaxRetries(), high.hasMaxRetries(), DEFAULT_MAX_RETRIES))));
      for (HostSet.Priority p : c.hostSet().priorities()) {
        for (Host h : p.hosts()) {
          HostStatus.Builder hs = status.addHostStatusesBuilder()
              .setAddress(AdminProtos.address(h.address()))
              .setHostname(h.hostname())
              .setLocality(StaticConfigDumps.locality(h.locality()))
              .setWeight(h.weight())
              .setPriority(h.priority());
          for (HostStat s : hostStats(h)) {
            hs.addStats(SimpleMetric.newBuilder()
                .setName(s.name())
                .setValue(s.value())
                .setType(s.gauge() ? SimpleMetric.Type.GAUGE : SimpleMetric.Type.COUNTER));
          }
          HealthStatus eds = StaticConfigDumps.healthStatus(h);
          hs.setHealthStatus(HostHealthStatus.newBuilder().setEdsHealthStatus(eds));
        }
      }
    }
    return out.build();
  }

  /** The cluster's configured HIGH priority thresholds, or an empty message. */
  private static CircuitBreakers.Thresholds highThresholds(Cluster c) {
    Message source = c.config().source();
    if (source instanceof io.envoyproxy.envoy.config.cluster.v3.Cluster proto) {
      for (CircuitBreakers.Thresholds t : proto.getCircuitBreakers().getThresholdsList()) {
        if (t.getPriority() == RoutingPriority.HIGH) {
          return t;
        }
      }
    }
    return CircuitBreakers.Thresholds.getDefaultInstance();
  }

  private static int orDefault(UInt32Value value, boolean set, int fallback) {
    return set ? value.getValue() : fallback;
  }
}
