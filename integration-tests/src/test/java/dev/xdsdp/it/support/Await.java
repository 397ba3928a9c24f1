package dev.xdsdp.it.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling for what the data plane does asynchronously (stats, shared data, closes). */
public final class Await {

  private static final Duration DEFAULT = Duration.ofSeconds(15);

  private Await() {}

  /** Polls {@code condition} every 20 ms until it holds; fails naming {@code what} after 15 s. */
  public static void until(BooleanSupplier condition, String what) throws InterruptedException {
    until(condition, DEFAULT, what);
  }

  public static void until(BooleanSupplier condition, Duration max, String what) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  /**
   * Polls {@code progress} until it has not moved for a second (back-pressure holding it);
   * returns where it stopped. Fails if it keeps moving for 20 s.
   */
  public static long stall(java.util.function.LongSupplier progress) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    long last = progress.getAsLong();
    int still = 0;
    while (still < 10) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never stalled: still moving at " + last);
      }
      Thread.sleep(100);
      long now = progress.getAsLong();
      still = now == last ? still + 1 : 0;
      last = now;
    }
    return last;
  }
}
