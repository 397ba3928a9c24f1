package dev.xdsdp.xds.protocol;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Envoy's xDS request rate limit ({@code rate_limit_settings}): a bucket of {@code maxTokens}
 * refilled at {@code fillRate} per second. Not thread-safe (owned by the xDS context).
 */
final class TokenBucket {

  private final double max;
  private final double perNano;
  private final LongSupplier nanoClock;
  private double tokens;
  private long last;

  TokenBucket(int maxTokens, double fillRatePerSecond, LongSupplier nanoClock) {
    this.max = maxTokens;
    this.perNano = fillRatePerSecond / 1e9;
    this.nanoClock = nanoClock;
    this.tokens = maxTokens;
    this.last = nanoClock.getAsLong();
  }

  boolean tryConsume() {
    refill();
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /** How long until one token is there. */
  Duration untilNext() {
    refill();
    if (tokens >= 1) {
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) Math.ceil((1 - tokens) / perNano));
  }

  private void refill() {
    long now = nanoClock.getAsLong();
    tokens = Math.min(max, tokens + (now - last) * perNano);
    last = now;
  }
}
