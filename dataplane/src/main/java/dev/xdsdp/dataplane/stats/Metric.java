package dev.xdsdp.dataplane.stats;

import java.util.List;

/** What every stored stat exposes to the admin renderers. */
public interface Metric {

  /** The full dotted Envoy name, e.g. {@code cluster.backend.upstream_rq_200}. */
  String name();

  /** The name with every extracted tag removed, e.g. {@code cluster.upstream_rq}. */
  String tagExtractedName();

  /** The extracted tags, in extraction order (the order of Prometheus labels). */
  List<Tag> tags();

  /**
   * Whether the stat was ever updated ({@code usedonly}). A histogram counts as used once a merge
   * has seen a recorded value, as in Envoy.
   */
  boolean used();
}
