package dev.xdsdp.dataplane.http;

import dev.xdsdp.api.filter.FilterDispatcher;
import io.vertx.core.Context;
import java.time.Duration;

/** A {@link FilterDispatcher} over one Vert.x event-loop context. */
public final class VertxDispatcher implements FilterDispatcher {

  private final Context context;
  private final Thread loopThread;

  /** Must be constructed on the context's event loop. */
  public VertxDispatcher(Context context) {
    this.context = context;
    this.loopThread = Thread.currentThread();
  }

  public Context context() {
    return context;
  }

  @Override
  public void post(Runnable task) {
    context.runOnContext(v -> task.run());
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    long ms = Math.max(1, delay.toMillis());
    long[] id = new long[] {-1};
    boolean[] cancelled = new boolean[1];
    Runnable arm = () -> {
      if (!cancelled[0]) {
        id[0] = context.owner().setTimer(ms, t -> task.run());
      }
    };
    if (isOnLoop()) {
      arm.run();
    } else {
      context.runOnContext(v -> arm.run());
    }
    return () -> {
      cancelled[0] = true;
      if (id[0] >= 0) {
        context.owner().cancelTimer(id[0]);
      }
    };
  }

  @Override
  public boolean isOnLoop() {
    return Thread.currentThread() == loopThread;
  }
}
