package dev.xdsdp.xds.testing;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.Histogram;
import dev.xdsdp.api.stats.StatsScope;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** An in-memory {@link StatsScope} for tests: every stat by its full dotted name. */
public final class TestStats implements StatsScope {

  private final String prefix;
  private final Map<String, AtomicLong> values;

  public TestStats() {
    this("", new ConcurrentHashMap<>());
  }

  private TestStats(String prefix, Map<String, AtomicLong> values) {
    this.prefix = prefix;
    this.values = values;
  }

  /** The value of a counter or gauge, or -1 when it was never made. */
  public long value(String fullName) {
    AtomicLong v = values.get(fullName);
    return v == null ? -1 : v.get();
  }

  /** Every stat made so far, sorted. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    values.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  @Override
  public String prefix() {
    return prefix;
  }

  @Override
  public StatsScope scope(String name) {
    return new TestStats(prefix + name + ".", values);
  }

  @Override
  public Counter counter(String name) {
    String full = prefix + name;
    AtomicLong v = values.computeIfAbsent(full, k -> new AtomicLong());
    return new Counter() {
      @Override
      public void add(long amount) {
        v.addAndGet(amount);
      }

      @Override
      public long value() {
        return v.get();
      }

      @Override
      public String name() {
        return full;
      }
    };
  }

  @Override
  public Gauge gauge(String name) {
    String full = prefix + name;
    AtomicLong v = values.computeIfAbsent(full, k -> new AtomicLong());
    return new Gauge() {
      @Override
      public void set(long value) {
        v.set(value);
      }

      @Override
      public void add(long amount) {
        v.addAndGet(amount);
      }

      @Override
      public long value() {
        return v.get();
      }

      @Override
      public String name() {
        return full;
      }
    };
  }

  @Override
  public Histogram histogram(String name, Histogram.Unit unit) {
    String full = prefix + name;
    return new Histogram() {
      @Override
      public void record(long value) {}

      @Override
      public Unit unit() {
        return unit;
      }

      @Override
      public String name() {
        return full;
      }
    };
  }
}
