package dev.xdsdp.wasm.abi;

/** {@code proxy_metric_type_t}. */
public enum MetricType {
  COUNTER,
  GAUGE,
  HISTOGRAM;

  private static final MetricType[] VALUES = values();

  public static MetricType fromCode(long code) {
    return code >= 0 && code < VALUES.length ? VALUES[(int) code] : null;
  }
}
