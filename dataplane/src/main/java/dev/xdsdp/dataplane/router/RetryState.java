package dev.xdsdp.dataplane.router;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.dataplane.upstream.Cluster;
import dev.xdsdp.xds.resource.matcher.HeaderMatcher;
import dev.xdsdp.xds.resource.route.RetryPolicyConfig;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Decides whether a failed attempt is retried (Envoy's {@code RetryStateImpl}): the route's
 * {@code retry_on} conditions, the retry budget of {@code num_retries}, the cluster's
 * {@code max_retries} circuit breaker, and a fully jittered exponential backoff.
 */
final class RetryState {

  /** Why an attempt failed before a response arrived. */
  enum ResetReason {
    CONNECTION_FAILURE,
    CONNECTION_TIMEOUT,
    CONNECTION_TERMINATION,
    REMOTE_RESET,
    REMOTE_REFUSED_STREAM,
    OVERFLOW,
    LOCAL_RESET,
    PER_TRY_TIMEOUT,
  }

  /** What to do about a failed attempt. */
  enum Decision {
    RETRY,
    NO_RETRY,
    /** A retry would be allowed but the limit (num_retries or max_retries) is reached. */
    LIMIT_EXCEEDED,
  }

  private final RetryPolicyConfig policy;
  private final Cluster cluster;
  private int retriesLeft;
  private int attempts;
  private boolean holdsRetryResource;

  RetryState(RetryPolicyConfig policy, Cluster cluster) {
    this.policy = policy;
    this.cluster = cluster;
    this.retriesLeft = policy == null ? 0 : policy.numRetries();
  }

  boolean enabled() {
    return policy != null && !policy.retryOn().isEmpty() && policy.numRetries() > 0;
  }

  Duration perTryTimeout() {
    return policy == null ? Duration.ZERO : policy.perTryTimeout();
  }

  int attempts() {
    return attempts;
  }

  void onAttempt() {
    attempts++;
  }

  Decision onReset(ResetReason reason) {
    if (!enabled()) {
      return Decision.NO_RETRY;
    }
    boolean wants = switch (reason) {
      case CONNECTION_FAILURE, CONNECTION_TIMEOUT -> on("5xx") || on("gateway-error") || on("reset") || on("connect-failure")
          || on("reset-before-request");
      case REMOTE_REFUSED_STREAM -> on("5xx") || on("gateway-error") || on("reset") || on("refused-stream");
      case CONNECTION_TERMINATION, REMOTE_RESET, LOCAL_RESET -> on("5xx") || on("gateway-error") || on("reset");
      case PER_TRY_TIMEOUT -> on("5xx") || on("gateway-error") || on("reset");
      case OVERFLOW -> false;
    };
    return wants ? consume() : Decision.NO_RETRY;
  }

  Decision onResponse(HeaderMap headers) {
    if (!enabled()) {
      return Decision.NO_RETRY;
    }
    int status = headers.status();
    boolean wants = (on("5xx") && status >= 500)
        || (on("gateway-error") && (status == 502 || status == 503 || status == 504))
        || (on("retriable-4xx") && status == 409)
        || (on("retriable-status-codes") && policy.retriableStatusCodes().contains(status))
        || (on("envoy-ratelimited") && headers.contains("x-envoy-ratelimited"))
        || (on("retriable-headers") && anyHeaderMatches(headers));
    String grpc = headers.get("grpc-status");
    if (!wants && grpc != null) {
      wants = switch (grpc.trim()) {
        case "1" -> on("cancelled");
        case "4" -> on("deadline-exceeded");
        case "8" -> on("resource-exhausted");
        case "13" -> on("internal");
        case "14" -> on("unavailable");
        default -> false;
      };
    }
    return wants ? consume() : Decision.NO_RETRY;
  }

  private boolean anyHeaderMatches(HeaderMap headers) {
    for (HeaderMatcher m : policy.retriableHeaders()) {
      if (m.matches(headers)) {
        return true;
      }
    }
    return false;
  }

  private boolean on(String condition) {
    return policy.retriesOn(condition);
  }

  private Decision consume() {
    if (retriesLeft <= 0) {
      return Decision.LIMIT_EXCEEDED;
    }
    if (!holdsRetryResource) {
      if (!cluster.resources().retries().tryAcquire()) {
        cluster.stats().upstreamRqRetryOverflow.inc();
        return Decision.LIMIT_EXCEEDED;
      }
      holdsRetryResource = true;
    }
    retriesLeft--;
    cluster.stats().upstreamRqRetry.inc();
    return Decision.RETRY;
  }

  /** The wait before the next attempt: uniform in [0, base × 2^(retries so far)], capped. */
  Duration backoff() {
    long base = policy.baseInterval().toMillis();
    long max = policy.maxInterval().toMillis();
    int shift = Math.min(30, Math.max(0, attempts - 1));
    long ceiling = Math.min(max, base * (1L << shift));
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.max(1, ceiling) + 1));
  }

  /** Releases the cluster's retry slot; {@code success} counts a successful retried request. */
  void release(boolean success) {
    if (holdsRetryResource) {
      holdsRetryResource = false;
      cluster.resources().retries().release();
      if (success) {
        cluster.stats().upstreamRqRetrySuccess.inc();
      }
    }
  }
}
