package dev.xdsdp.xds.protocol;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Envoy's {@code JitteredExponentialBackOffStrategy} for xDS reconnects: the n-th retry waits a
 * random time in {@code [0, min(base * 2^n, max))}. {@link #reset()} after a received message makes
 * the next failure start again from the base. Not thread-safe (owned by the xDS context).
 */
public final class Backoff {

  /** Envoy's defaults for the ADS stream. */
  public static final Duration DEFAULT_BASE = Duration.ofMillis(500);
  public static final Duration DEFAULT_MAX = Duration.ofSeconds(30);

  private final long baseMs;
  private final long maxMs;
  private final LongSupplier random;
  private long ceilingMs;

  public Backoff(Duration base, Duration max, RandomGenerator random) {
    this(base, max, (LongSupplier) () -> random.nextLong(Long.MAX_VALUE));
  }

  Backoff(Duration base, Duration max, LongSupplier random) {
    if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
      throw new IllegalArgumentException("need 0 < base <= max");
    }
    this.baseMs = base.toMillis();
    this.maxMs = max.toMillis();
    this.random = random;
    this.ceilingMs = baseMs;
  }

  /** How long to wait before the next attempt. */
  public Duration next() {
    long ceiling = ceilingMs;
    ceilingMs = Math.min(maxMs, ceilingMs * 2);
    return Duration.ofMillis(Math.floorMod(random.getAsLong(), ceiling));
  }

  /** The next wait's upper bound (exclusive), for tests and logs. */
  public Duration currentCeiling() {
    return Duration.ofMillis(ceilingMs);
  }

  public void reset() {
    ceilingMs = baseMs;
  }
}
