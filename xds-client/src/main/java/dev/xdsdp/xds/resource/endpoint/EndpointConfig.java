package dev.xdsdp.xds.resource.endpoint;

import dev.xdsdp.xds.resource.SocketAddressConfig;

/**
 * One upstream endpoint.
 *
 * @param address where to connect (for DNS clusters, a host name to resolve)
 * @param hostname the endpoint's {@code hostname} (used by {@code auto_host_rewrite}), or empty
 * @param health the EDS health status
 * @param weight load balancing weight, at least 1
 */
public record EndpointConfig(SocketAddressConfig address, String hostname, HealthStatus health, int weight) {

  /** EDS health as Envoy folds it: healthy, degraded or unhealthy. */
  public enum HealthStatus {
    HEALTHY,
    DEGRADED,
    UNHEALTHY,
  }
}
