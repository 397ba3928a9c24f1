package dev.xdsdp.xds.resource.cluster;

import com.google.protobuf.Message;
import dev.xdsdp.xds.resource.endpoint.LoadAssignmentConfig;
import java.time.Duration;

/**
 * A validated cluster.
 *
 * @param statName the name its stats use ({@code alt_stat_name} or the name)
 * @param loadAssignment inline endpoints (STATIC and DNS clusters), null for EDS
 * @param edsServiceName the EDS resource name for EDS clusters (defaults to the cluster name)
 * @param upstreamIdleTimeout close upstream connections idle this long (Envoy's default 1 h)
 * @param maxRequestsPerConnection 0 = unlimited
 * @param http2MaxConcurrentStreams for HTTP/2 upstreams
 * @param healthyPanicThreshold percent of healthy hosts below which all hosts are used (default 50)
 * @param source the proto it came from, for {@code /config_dump}
 */
public record ClusterConfig(
    String name,
    String statName,
    DiscoveryType type,
    Duration connectTimeout,
    LbPolicy lbPolicy,
    int leastRequestChoiceCount,
    LoadAssignmentConfig loadAssignment,
    String edsServiceName,
    CircuitBreakerThresholds thresholds,
    UpstreamProtocol protocol,
    Duration upstreamIdleTimeout,
    int maxRequestsPerConnection,
    int http2MaxConcurrentStreams,
    Duration dnsRefreshRate,
    DnsLookupFamily dnsLookupFamily,
    boolean respectDnsTtl,
    int perConnectionBufferLimitBytes,
    double healthyPanicThreshold,
    boolean tcpKeepalive,
    Message source) {

  /** How the cluster finds its hosts. */
  public enum DiscoveryType {
    STATIC,
    STRICT_DNS,
    LOGICAL_DNS,
    EDS,
  }

  /** Load balancing policies implemented here. */
  public enum LbPolicy {
    ROUND_ROBIN,
    LEAST_REQUEST,
    RANDOM,
  }

  /** The upstream HTTP protocol. */
  public enum UpstreamProtocol {
    HTTP1,
    HTTP2,
    /** The downstream request's protocol. */
    USE_DOWNSTREAM,
  }

  /** Which address families DNS lookups return. */
  public enum DnsLookupFamily {
    AUTO,
    V4_ONLY,
    V6_ONLY,
    V4_PREFERRED,
    ALL,
  }
}
