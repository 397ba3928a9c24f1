package dev.xdsdp.xds.resource.listener;

import dev.xdsdp.api.accesslog.AccessLogger;
import dev.xdsdp.xds.resource.CidrRange;
import dev.xdsdp.xds.resource.route.RouteTableConfig;
import java.time.Duration;
import java.util.List;

/**
 * A validated {@code envoy.filters.network.http_connection_manager}.
 *
 * @param routeTable the inline {@code route_config}, or null when {@code rdsName} is set
 * @param rdsName the RDS route configuration name, or null
 * @param internalAddresses the ranges treated as internal for {@code x-envoy-internal} and header
 *     sanitising; null means Envoy's default (RFC 1918, loopback and unique local)
 * @param streamIdleTimeout Envoy's default 5 min; zero disables
 * @param requestTimeout zero (Envoy's default) disables
 * @param maxRequestHeadersKb Envoy's default 60
 */
public record HcmConfig(
    String statPrefix,
    CodecType codecType,
    RouteTableConfig routeTable,
    String rdsName,
    List<HttpFilterConfig> httpFilters,
    List<AccessLogger> accessLogs,
    String serverName,
    ServerHeaderTransformation serverHeaderTransformation,
    boolean useRemoteAddress,
    int xffNumTrustedHops,
    boolean skipXffAppend,
    String via,
    boolean generateRequestId,
    boolean preserveExternalRequestId,
    boolean alwaysSetRequestIdInResponse,
    List<CidrRange> internalAddresses,
    Duration streamIdleTimeout,
    Duration requestTimeout,
    Duration requestHeadersTimeout,
    Duration idleTimeout,
    Duration maxStreamDuration,
    Duration drainTimeout,
    int maxRequestHeadersKb,
    int maxHeadersCount,
    boolean acceptHttp10,
    String defaultHostForHttp10,
    boolean stripMatchingHostPort,
    boolean stripAnyHostPort,
    boolean normalizePath,
    boolean mergeSlashes,
    boolean proxy100Continue,
    boolean http2Enabled,
    int http2MaxConcurrentStreams,
    boolean validateClustersOrDefault) {

  public HcmConfig {
    httpFilters = List.copyOf(httpFilters);
    accessLogs = List.copyOf(accessLogs);
    internalAddresses = internalAddresses == null ? null : List.copyOf(internalAddresses);
  }

  /** Downstream codec selection. */
  public enum CodecType {
    AUTO,
    HTTP1,
    HTTP2,
  }

  /** What to do with the {@code server} response header. */
  public enum ServerHeaderTransformation {
    OVERWRITE,
    APPEND_IF_ABSENT,
    PASS_THROUGH,
  }
}
