package dev.xdsdp.api.filter;

import java.time.Duration;

/**
 * The event loop of a stream (Envoy's {@code Dispatcher}), for work a filter finishes later.
 * Every task runs on that loop, never concurrently with the stream's other callbacks.
 */
public interface FilterDispatcher {

  /** Runs {@code task} on the loop after the current callback returns. */
  void post(Runnable task);

  /** Runs {@code task} on the loop after {@code delay}, unless cancelled first. */
  Cancellable schedule(Duration delay, Runnable task);

  /** True when the calling thread is this loop. */
  boolean isOnLoop();

  /** A scheduled task that can be cancelled. Cancelling twice, or after it ran, is harmless. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }
}
