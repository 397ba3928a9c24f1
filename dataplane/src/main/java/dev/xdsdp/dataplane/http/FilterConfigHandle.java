package dev.xdsdp.dataplane.http;

import dev.xdsdp.api.filter.FilterFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A dynamically provided filter config (ECDS) with a reference count: one reference while it is
 * the current config, one per stream that uses it. When a new config replaces it and its last
 * stream ends, {@link FilterFactory#release()} runs once (a Wasm filter closes its VMs there).
 */
public final class FilterConfigHandle {

  private final FilterFactory factory;
  private final AtomicInteger refs = new AtomicInteger(1);

  public FilterConfigHandle(FilterFactory factory) {
    this.factory = factory;
  }

  public FilterFactory factory() {
    return factory;
  }

  /** Takes a reference for a stream; false when the config is already released. */
  public boolean acquire() {
    while (true) {
      int r = refs.get();
      if (r <= 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; the last one releases the factory. */
  public void release() {
    if (refs.decrementAndGet() == 0) {
      try {
        factory.release();
      } catch (RuntimeException e) {
        System.getLogger("config").log(System.Logger.Level.WARNING, "releasing a filter config failed", e);
      }
    }
  }

  /** References held (the current-config one included). */
  public int references() {
    return refs.get();
  }
}
