package dev.xdsdp.wasm.testing;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.Histogram;
import dev.xdsdp.api.stats.StatsScope;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** An in-memory {@link StatsScope} tree for tests: every stat is findable by its full name. */
public final class TestStats implements StatsScope {

  private final String prefix;
  private final Registry registry;

  private static final class Registry {
    final Map<String, TestCounter> counters = new ConcurrentHashMap<>();
    final Map<String, TestGauge> gauges = new ConcurrentHashMap<>();
    final Map<String, TestHistogram> histograms = new ConcurrentHashMap<>();
  }

  public TestStats() {
    this("", new Registry());
  }

  private TestStats(String prefix, Registry registry) {
    this.prefix = prefix;
    this.registry = registry;
  }

  @Override
  public String prefix() {
    return prefix;
  }

  @Override
  public StatsScope scope(String name) {
    return new TestStats(prefix + name + ".", registry);
  }

  @Override
  public Counter counter(String name) {
    return registry.counters.computeIfAbsent(prefix + name, TestCounter::new);
  }

  @Override
  public Gauge gauge(String name) {
    return registry.gauges.computeIfAbsent(prefix + name, TestGauge::new);
  }

  @Override
  public Histogram histogram(String name, Histogram.Unit unit) {
    return registry.histograms.computeIfAbsent(prefix + name, n -> new TestHistogram(n, unit));
  }

  /** The value of counter {@code fullName}, or -1 when it was never made. */
  public long counterValue(String fullName) {
    TestCounter c = registry.counters.get(fullName);
    return c == null ? -1 : c.value();
  }

  /** The value of gauge {@code fullName}, or -1 when it was never made. */
  public long gaugeValue(String fullName) {
    TestGauge g = registry.gauges.get(fullName);
    return g == null ? -1 : g.value();
  }

  /** The values recorded in histogram {@code fullName}, or null when it was never made. */
  public List<Long> histogramValues(String fullName) {
    TestHistogram h = registry.histograms.get(fullName);
    return h == null ? null : List.copyOf(h.values);
  }

  public boolean hasCounter(String fullName) {
    return registry.counters.containsKey(fullName);
  }

  public java.util.Set<String> counterNames() {
    return java.util.Set.copyOf(registry.counters.keySet());
  }

  private record TestCounter(String name, AtomicLong v) implements Counter {
    TestCounter(String name) {
      this(name, new AtomicLong());
    }

    @Override
    public void add(long amount) {
      v.addAndGet(amount);
    }

    @Override
    public long value() {
      return v.get();
    }
  }

  private record TestGauge(String name, AtomicLong v) implements Gauge {
    TestGauge(String name) {
      this(name, new AtomicLong());
    }

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
  }

  private record TestHistogram(String name, Unit unit, List<Long> values) implements Histogram {
    TestHistogram(String name, Unit unit) {
      this(name, unit, new CopyOnWriteArrayList<>());
    }

    @Override
    public void record(long value) {
      values.add(value);
    }
  }
}
