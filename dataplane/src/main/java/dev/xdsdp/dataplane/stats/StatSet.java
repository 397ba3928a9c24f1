package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.Histogram;
import dev.xdsdp.api.stats.StatsScope;

/**
 * Every stat of one component enum, created in one scope when the component's config is built
 * (Envoy's {@code MAKE_STATS_STRUCT}): all of them appear in {@code /stats} at once, with zero
 * values, and the hot path only indexes an array.
 *
 * <pre>{@code
 * StatSet<ClusterStatName> stats = StatSet.create(store.scope("cluster." + name), ClusterStatName.class);
 * stats.counter(ClusterStatName.UPSTREAM_RQ_TOTAL).inc();
 * }</pre>
 */
public final class StatSet<E extends Enum<E> & StatDescriptor> {

  private final StatsScope scope;
  private final Object[] stats;

  private StatSet(StatsScope scope, Object[] stats) {
    this.scope = scope;
    this.stats = stats;
  }

  public static <E extends Enum<E> & StatDescriptor> StatSet<E> create(StatsScope scope, Class<E> names) {
    E[] all = names.getEnumConstants();
    Object[] stats = new Object[all.length];
    for (E e : all) {
      stats[e.ordinal()] = switch (e.type()) {
        case COUNTER -> scope.counter(e.statName());
        case GAUGE -> scope.gauge(e.statName());
        case HISTOGRAM -> scope.histogram(e.statName(), e.unit());
      };
    }
    return new StatSet<>(scope, stats);
  }

  public Counter counter(E name) {
    return typed(name, StatType.COUNTER, Counter.class);
  }

  public Gauge gauge(E name) {
    return typed(name, StatType.GAUGE, Gauge.class);
  }

  public Histogram histogram(E name) {
    return typed(name, StatType.HISTOGRAM, Histogram.class);
  }

  /** The scope the stats were created in. */
  public StatsScope scope() {
    return scope;
  }

  private <T> T typed(E name, StatType type, Class<T> cls) {
    if (name.type() != type) {
      throw new IllegalArgumentException(name.statName() + " is a " + name.type() + ", not a " + type);
    }
    return cls.cast(stats[name.ordinal()]);
  }
}
