package dev.xdsdp.api.stats;

/**
 * A namespace of stats with Envoy's dotted names, e.g. the scope {@code cluster.backend.} makes
 * {@code cluster.backend.upstream_rq_total}. The same name always returns the same stat, so
 * components look stats up once, when their config is built, not per request.
 *
 * <p>Stats themselves are thread-safe and cheap to update from any event loop.
 */
public interface StatsScope {

  /** This scope's prefix including the trailing dot, or empty for the root. */
  String prefix();

  /** A child scope: {@code prefix() + name + "."}. */
  StatsScope scope(String name);

  Counter counter(String name);

  Gauge gauge(String name);

  Histogram histogram(String name, Histogram.Unit unit);
}
