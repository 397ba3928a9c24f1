package dev.xdsdp.api.stats;

/** A distribution of recorded values, exported with Envoy's default buckets. */
public interface Histogram {

  void record(long value);

  Unit unit();

  String name();

  /** Envoy's histogram units. */
  enum Unit {
    UNSPECIFIED,
    BYTES,
    MICROSECONDS,
    MILLISECONDS,
    PERCENT,
  }
}
