package dev.xdsdp.xds.resource.route;

import dev.xdsdp.xds.resource.matcher.Re2Regex;
import java.time.Duration;

/**
 * {@code route}: forward upstream. Exactly one of {@code cluster}, {@code clusterHeader} and
 * {@code weightedClusters} is set.
 *
 * @param timeout the upstream timeout from end of request to end of response headers (Envoy's
 *     default 15 s); zero disables it
 * @param idleTimeout stream idle timeout override, null when not set
 * @param retryPolicy the route's retry policy (falls back to the virtual host's), or null
 */
public record ForwardAction(
    String cluster,
    String clusterHeader,
    WeightedClusterConfig weightedClusters,
    int clusterNotFoundResponseCode,
    String prefixRewrite,
    Re2Regex regexRewrite,
    String regexSubstitution,
    String hostRewriteLiteral,
    boolean autoHostRewrite,
    String hostRewriteHeader,
    Re2Regex hostRewritePathRegex,
    String hostRewritePathSubstitution,
    boolean appendXForwardedHost,
    Duration timeout,
    Duration idleTimeout,
    RetryPolicyConfig retryPolicy,
    Duration maxStreamDuration,
    Duration grpcTimeoutHeaderMax,
    boolean grpcTimeoutHeaderMaxSet,
    Duration grpcTimeoutHeaderOffset) implements RouteAction {}
