package dev.xdsdp.wasm.testing;

import dev.xdsdp.wasm.EventLoop;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A single-threaded {@link EventLoop} for tests; {@link #call} runs work on it and waits. */
public final class TestLoop implements EventLoop, AutoCloseable {

  private final String id;
  private final ScheduledExecutorService executor;
  private volatile Thread thread;

  public TestLoop(String id) {
    this.id = id;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "test-loop-" + id);
              t.setDaemon(true);
              thread = t;
              return t;
            });
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public void execute(Runnable task) {
    executor.execute(guard(task));
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable task) {
    ScheduledFuture<?> f = executor.schedule(guard(task), delayMillis, TimeUnit.MILLISECONDS);
    return () -> f.cancel(false);
  }

  private static Runnable guard(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Throwable t) {
        System.getLogger("test").log(System.Logger.Level.ERROR, "loop task failed", t);
      }
    };
  }

  /** Runs {@code work} on the loop and returns its result (rethrowing what it throws). */
  public <T> T call(Callable<T> work) {
    if (Thread.currentThread() == thread) {
      try {
        return work.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }
    Future<T> f = executor.submit(work);
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new RuntimeException(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new RuntimeException(e);
    }
  }

  public void run(Runnable work) {
    call(
        () -> {
          work.run();
          return null;
        });
  }

  /** Waits until every task queued so far has run. */
  public void drain() {
    run(() -> {});
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
