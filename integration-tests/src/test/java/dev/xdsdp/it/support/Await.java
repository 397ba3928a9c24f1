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
}
