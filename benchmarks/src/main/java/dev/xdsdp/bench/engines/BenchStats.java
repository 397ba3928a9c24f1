package dev.xdsdp.bench.engines;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.Histogram;
import dev.xdsdp.api.stats.StatsScope;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The smallest {@link StatsScope} the Wasm runtime needs: counters on {@link LongAdder} (as the
 * data plane's), gauges on {@link AtomicLong}, histograms that only count. Every stat can be read
 * back by its full name, which the engine benchmarks use to check that host calls really happen.
 */
public final class BenchStats implements StatsScope {

  private final String prefix;
  private final Map<String, Object> stats;

  public BenchStats() {
    this("", new ConcurrentHashMap<>());
  }

  private BenchStats(String prefix, Map<String, Object> stats) {
    this.prefix = prefix;
    this.stats = stats;
  }

  @Override
  public String prefix() {
    return prefix;
  }

  @Override
  public StatsScope scope(String name) {
    return new BenchStats(prefix + name + ".", stats);
  }

  @Override
  public Counter counter(String name) {
    return (Counter) stats.computeIfAbsent(prefix + name, Count::new);
  }

  @Override
  public Gauge gauge(String name) {
    return (Gauge) stats.computeIfAbsent(prefix + name, Level::new);
  }

  @Override
  public Histogram histogram(String name, Histogram.Unit unit) {
    return (Histogram) stats.computeIfAbsent(prefix + name, n -> new Samples(n, unit));
  }

  /** The value of the counter or gauge {@code fullName}, or -1 when it does not exist. */
  public long value(String fullName) {
    Object s = stats.get(fullName);
    if (s instanceof Counter c) {
      return c.value();
    }
    if (s instanceof Gauge g) {
      return g.value();
    }
    return -1;
  }

  private static final class Count implements Counter {
    private final String name;
    private final LongAdder value = new LongAdder();

    Count(String name) {
      this.name = name;
    }

    @Override
    public void add(long amount) {
      value.add(amount);
    }

    @Override
    public long value() {
      return value.sum();
    }

    @Override
    public String name() {
      return name;
    }
  }

  private static final class Level implements Gauge {
    private final String name;
    private final AtomicLong value = new AtomicLong();

    Level(String name) {
      this.name = name;
    }

    @Override
    public void set(long v) {
      value.set(v);
    }

    @Override
    public void add(long amount) {
      value.addAndGet(amount);
    }

    @Override
    public long value() {
      return value.get();
    }

    @Override
    public String name() {
      return name;
    }
  }

  private static final class Samples implements Histogram {
    private final String name;
    private final Unit unit;
    private final LongAdder count = new LongAdder();

    Samples(String name, Unit unit) {
      this.name = name;
      this.unit = unit;
    }

    @Override
    public void record(long v) {
      count.increment();
    }

    @Override
    public Unit unit() {
      return unit;
    }

    @Override
    public String name() {
      return name;
    }
  }
}
