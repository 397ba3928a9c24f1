package dev.xdsdp.wasm;

/**
 * An event loop that owns VM replicas (a Vert.x event loop in the data plane, Envoy's worker
 * dispatcher). A replica is only ever called on its loop; timers, queue notifications and callout
 * completions are delivered through {@link #execute} and {@link #schedule}.
 *
 * <p>Implementations must be thread-safe: {@link #execute} and {@link #schedule} are called from
 * other loops, from callout completions and from the build thread.
 */
public interface EventLoop {

  /** A stable name for logs and metrics, e.g. {@code worker-3}. */
  String id();

  /** Runs {@code task} on the loop, after the current task; never inline. */
  void execute(Runnable task);

  /** Runs {@code task} on the loop after {@code delayMillis}, unless cancelled first. */
  Cancellable schedule(long delayMillis, Runnable task);

  /** A scheduled task. Cancelling twice, or after it ran, is harmless. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }
}
