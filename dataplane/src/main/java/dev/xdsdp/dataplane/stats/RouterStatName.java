package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Locale;

/**
 * Router filter stats, under {@code http.<stat_prefix>.}: Envoy's {@code ALL_ROUTER_STATS}
 * ({@code source/common/router/context_impl.h}).
 *
 * <p>Each constant's {@link #statName()} is its name in lower case, which is Envoy's name.
 */
public enum RouterStatName implements StatDescriptor {
  NO_CLUSTER(StatType.COUNTER),
  NO_ROUTE(StatType.COUNTER),
  PASSTHROUGH_INTERNAL_REDIRECT_BAD_LOCATION(StatType.COUNTER),
  PASSTHROUGH_INTERNAL_REDIRECT_NO_ROUTE(StatType.COUNTER),
  PASSTHROUGH_INTERNAL_REDIRECT_PREDICATE(StatType.COUNTER),
  PASSTHROUGH_INTERNAL_REDIRECT_TOO_MANY_REDIRECTS(StatType.COUNTER),
  PASSTHROUGH_INTERNAL_REDIRECT_UNSAFE_SCHEME(StatType.COUNTER),
  RQ_DIRECT_RESPONSE(StatType.COUNTER),
  RQ_OVERLOAD_LOCAL_REPLY(StatType.COUNTER),
  RQ_REDIRECT(StatType.COUNTER),
  RQ_RESET_AFTER_DOWNSTREAM_RESPONSE_STARTED(StatType.COUNTER),
  RQ_TOTAL(StatType.COUNTER);

  private final StatType type;
  private final Histogram.Unit unit;

  RouterStatName(StatType type) {
    this(type, Histogram.Unit.UNSPECIFIED);
  }

  RouterStatName(StatType type, Histogram.Unit unit) {
    this.type = type;
    this.unit = unit;
  }

  @Override
  public String statName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public StatType type() {
    return type;
  }

  @Override
  public Histogram.Unit unit() {
    return unit;
  }
}
