package dev.xdsdp.api.filter;

import dev.xdsdp.api.stats.StatsScope;
import io.envoyproxy.envoy.config.core.v3.Node;

/** What a filter factory may use while it builds a filter config. */
public interface FactoryContext {

  /** The scope for the filter's stats, e.g. {@code http.<stat_prefix>.}. */
  StatsScope scope();

  /** The bootstrap's node. */
  Node localNode();

  /** The listener this filter chain belongs to, or empty for configs not tied to one (ECDS). */
  String listenerName();

  /** True when the config came from the bootstrap file, false when it came from xDS. */
  boolean isStatic();
}
