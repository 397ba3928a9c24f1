package dev.xdsdp.xds.resource.route;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A route's or virtual host's {@code retry_policy}.
 *
 * @param retryOn Envoy's retry conditions ({@code 5xx}, {@code gateway-error}, {@code reset},
 *     {@code connect-failure}, {@code retriable-4xx}, {@code refused-stream},
 *     {@code retriable-status-codes}, {@code retriable-headers}, and the gRPC ones)
 * @param numRetries retries after the first attempt (Envoy's default 1)
 * @param perTryTimeout timeout of each attempt, zero for none
 * @param baseInterval backoff base (Envoy's default 25 ms)
 * @param maxInterval backoff cap (default 10 x base)
 */
public record RetryPolicyConfig(
    Set<String> retryOn,
    int numRetries,
    Duration perTryTimeout,
    Duration perTryIdleTimeout,
    Set<Integer> retriableStatusCodes,
    Duration baseInterval,
    Duration maxInterval,
    int hostSelectionRetryMaxAttempts,
    List<dev.xdsdp.xds.resource.matcher.HeaderMatcher> retriableHeaders) {

  public RetryPolicyConfig {
    retryOn = Set.copyOf(retryOn);
    retriableStatusCodes = Set.copyOf(retriableStatusCodes);
    retriableHeaders = List.copyOf(retriableHeaders);
  }

  public boolean retriesOn(String condition) {
    return retryOn.contains(condition);
  }
}
