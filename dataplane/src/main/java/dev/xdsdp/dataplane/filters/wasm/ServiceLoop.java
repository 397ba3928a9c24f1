package dev.xdsdp.dataplane.filters.wasm;

import dev.xdsdp.wasm.EventLoop;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The thread singleton Wasm services run on: Envoy runs a {@code singleton: true} service's VM on
 * its main thread, off the workers' request paths. Here that is one dedicated thread, so a busy
 * service never delays xDS updates nor a request. Ticks, queue deliveries and callout completions
 * of the services' VMs run on it.
 */
final class ServiceLoop implements EventLoop, AutoCloseable {

  static final String ID = "main_thread";

  private static final System.Logger LOG = System.getLogger("wasm");

  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "wasm_service");
    t.setDaemon(true);
    return t;
  });

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void execute(Runnable task) {
    try {
      executor.execute(() -> run(task));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed: the services are gone
    }
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable task) {
    try {
      ScheduledFuture<?> f = executor.schedule(() -> run(task), Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return () -> {};
    }
  }

  private static void run(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "a wasm service task failed", e);
    }
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return ID;
  }
}
