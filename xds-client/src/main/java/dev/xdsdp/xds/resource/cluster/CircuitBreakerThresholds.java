package dev.xdsdp.xds.resource.cluster;

/**
 * A cluster's circuit breaker limits for the DEFAULT priority, with Envoy's defaults (1024 / 1024 /
 * 1024 / 3). Past a limit Envoy fails fast: 503 with {@code x-envoy-overloaded} and flag UO.
 */
public record CircuitBreakerThresholds(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries) {

  public static final CircuitBreakerThresholds DEFAULTS = new CircuitBreakerThresholds(1024, 1024, 1024, 3);
}
