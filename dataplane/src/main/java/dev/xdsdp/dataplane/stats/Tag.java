package dev.xdsdp.dataplane.stats;

import java.util.Objects;

/**
 * One tag extracted from a stat name, e.g. {@code envoy.cluster_name=backend}. Prometheus output
 * turns the name into a label ({@code envoy_cluster_name}).
 */
public record Tag(String name, String value) {

  public Tag {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }
}
