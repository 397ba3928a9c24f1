package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.Histogram;
import dev.xdsdp.api.stats.StatsScope;

/** A named child of the store: it only prepends its prefix; every stat lives in the store. */
final class ScopeImpl implements StatsScope {

  private final StatsStore store;
  private final String prefix;

  ScopeImpl(StatsStore store, String prefix) {
    this.store = store;
    this.prefix = prefix;
  }

  /** {@code prefix + name + "."}, ignoring one trailing dot on {@code name}; "" adds nothing. */
  static String childPrefix(String prefix, String name) {
    String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    return n.isEmpty() ? prefix : prefix + n + ".";
  }

  @Override
  public String prefix() {
    return prefix;
  }

  @Override
  public StatsScope scope(String name) {
    return new ScopeImpl(store, childPrefix(prefix, name));
  }

  @Override
  public Counter counter(String name) {
    return store.counter(prefix + name);
  }

  @Override
  public Gauge gauge(String name) {
    return store.gauge(prefix + name);
  }

  @Override
  public Histogram histogram(String name, Histogram.Unit unit) {
    return store.histogram(prefix + name, unit);
  }

  @Override
  public String toString() {
    return "StatsScope[" + prefix + "]";
  }
}
