package dev.xdsdp.dataplane.filters.wasm;

import dev.xdsdp.dataplane.server.WorkerLoops;
import dev.xdsdp.wasm.EventLoop;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The worker event loops as the Wasm runtime sees them: one {@link EventLoop} per Vert.x worker
 * context, found again from the thread a stream runs on. Streams run on duplicated contexts of
 * their connection's loop (Vert.x gives request handlers their own context), so the key is the
 * event-loop thread, not the context.
 */
final class WorkerEventLoops {

  private final List<Loop> loops;
  private final Map<Thread, Loop> byThread;

  private WorkerEventLoops(List<Loop> loops, Map<Thread, Loop> byThread) {
    this.loops = List.copyOf(loops);
    this.byThread = byThread;
  }

  /** Learns each worker context's thread; blocks briefly, so call it off the loops. */
  static WorkerEventLoops of(WorkerLoops workers) {
    List<Loop> loops = new ArrayList<>();
    Map<Thread, Loop> byThread = new ConcurrentHashMap<>();
    List<CompletableFuture<Void>> learned = new ArrayList<>();
    int i = 0;
    for (Context c : workers.contexts()) {
      Loop loop = new Loop("worker_" + i++, c);
      loops.add(loop);
      CompletableFuture<Void> f = new CompletableFuture<>();
      c.runOnContext(v -> {
        loop.thread = Thread.currentThread();
        byThread.put(loop.thread, loop);
        f.complete(null);
      });
      learned.add(f);
    }
    try {
      CompletableFuture.allOf(learned.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the worker event loops did not answer: " + e, e);
    }
    return new WorkerEventLoops(loops, byThread);
  }

  List<Loop> all() {
    return loops;
  }

  /** The loop of the calling thread, or null when it is not a worker loop. */
  Loop current() {
    return byThread.get(Thread.currentThread());
  }

  boolean isWorkerThread() {
    return current() != null;
  }

  /** One worker loop: tasks and timers run on its Vert.x context. */
  static final class Loop implements EventLoop {
    private final String id;
    private final Context context;
    private volatile Thread thread;

    Loop(String id, Context context) {
      this.id = id;
      this.context = context;
    }

    @Override
    public String id() {
      return id;
    }

    Context context() {
      return context;
    }

    @Override
    public void execute(Runnable task) {
      context.runOnContext(v -> task.run());
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
      long ms = Math.max(1, delayMillis);
      long[] timer = {-1};
      boolean[] cancelled = new boolean[1];
      // Timers are armed and cancelled on the loop only, so the two arrays need no locking.
      Runnable arm = () -> {
        if (!cancelled[0]) {
          timer[0] = context.owner().setTimer(ms, t -> task.run());
        }
      };
      if (Thread.currentThread() == thread) {
        arm.run();
      } else {
        context.runOnContext(v -> arm.run());
      }
      return () -> {
        if (Thread.currentThread() == thread) {
          cancelled[0] = true;
          if (timer[0] >= 0) {
            context.owner().cancelTimer(timer[0]);
          }
        } else {
          context.runOnContext(v -> {
            cancelled[0] = true;
            if (timer[0] >= 0) {
              context.owner().cancelTimer(timer[0]);
            }
          });
        }
      };
    }

    @Override
    public String toString() {
      return id;
    }
  }
}
