package dev.xdsdp.dataplane.upstream;

import dev.xdsdp.xds.resource.cluster.CircuitBreakerThresholds;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster's circuit breakers (Envoy's ResourceManager for the DEFAULT priority): counts of
 * connections, pending requests, active requests and active retries, each with its limit. Shared by
 * all event loops; acquisition is an atomic compare-and-increment, so a limit is never exceeded.
 */
public final class ResourceManager {

  /** One limited resource. */
  public static final class Resource {
    private final AtomicInteger count = new AtomicInteger();
    private final int max;

    Resource(int max) {
      this.max = max;
    }

    /** Takes one unit if below the limit. */
    public boolean tryAcquire() {
      while (true) {
        int c = count.get();
        if (c >= max) {
          return false;
        }
        if (count.compareAndSet(c, c + 1)) {
          return true;
        }
      }
    }

    public void release() {
      count.decrementAndGet();
    }

    public int count() {
      return count.get();
    }

    public int max() {
      return max;
    }

    public boolean canCreate() {
      return count.get() < max;
    }
  }

  private final Resource connections;
  private final Resource pendingRequests;
  private final Resource requests;
  private final Resource retries;

  public ResourceManager(CircuitBreakerThresholds t) {
    this.connections = new Resource(t.maxConnections());
    this.pendingRequests = new Resource(t.maxPendingRequests());
    this.requests = new Resource(t.maxRequests());
    this.retries = new Resource(t.maxRetries());
  }

  public Resource connections() {
    return connections;
  }

  public Resource pendingRequests() {
    return pendingRequests;
  }

  public Resource requests() {
    return requests;
  }

  public Resource retries() {
    return retries;
  }
}
