package dev.xdsdp.dataplane.stats;

/** The kind of a declared stat. */
public enum StatType {
  COUNTER,
  GAUGE,
  HISTOGRAM,
}
