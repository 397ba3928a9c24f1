package dev.xdsdp.dataplane.server;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The worker event loops (Envoy's workers, {@code --concurrency} of them): one Vert.x event-loop
 * context each. Listeners bind one server per loop; connections stay on the loop that accepted them.
 */
public final class WorkerLoops {

  private final Vertx vertx;
  private final List<Context> contexts;

  private WorkerLoops(Vertx vertx, List<Context> contexts) {
    this.vertx = vertx;
    this.contexts = List.copyOf(contexts);
  }

  /** One context per event loop of {@code vertx}, {@code count} of them. */
  public static Future<WorkerLoops> start(Vertx vertx, int count) {
    List<Context> contexts = Collections.synchronizedList(new ArrayList<>());
    return vertx.deployVerticle(() -> new AbstractVerticle() {
      @Override
      public void start() {
        contexts.add(context);
      }
    }, new DeploymentOptions().setInstances(count))
        .map(id -> new WorkerLoops(vertx, contexts));
  }

  public Vertx vertx() {
    return vertx;
  }

  public List<Context> contexts() {
    return contexts;
  }

  public int size() {
    return contexts.size();
  }
}
