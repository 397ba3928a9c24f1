package dev.xdsdp.dataplane.stats;

/**
 * {@code /stats/prometheus} (exposition format 0.0.4) byte for byte as Envoy writes it: a
 * {@code # TYPE} line per family and no {@code # HELP}, counter names exactly as Envoy's (no
 * {@code _total} added), {@code {}} even without labels, integer counter and gauge values, and
 * histograms with Envoy's cumulative buckets and {@code %.32g} bounds and sums.
 *
 * <p>simpleclient's {@code TextFormat.write004} is not used for this: for a counter family it
 * appends {@code _total} to the {@code # TYPE} name (so Envoy counters such as
 * {@code envoy_cluster_upstream_cx_connect_fail} would get a TYPE line for another name), writes
 * {@code # HELP} lines and {@code 3.0}-style values. {@link EnvoyStatsCollector} offers the same
 * families to a simpleclient registry.
 */
final class PrometheusRenderer {

  // Bucket bounds come from a handful of configured sets; format each once.
  private static final java.util.concurrent.ConcurrentHashMap<Double, String> LE_LABELS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private PrometheusRenderer() {}

  static StatsResponse render(StatsStore store, StatsParams params) {
    boolean summaries;
    switch (params.histogramBuckets()) {
      case UNSET, CUMULATIVE -> summaries = false;
      case SUMMARY -> summaries = true;
      default -> {
        return StatsResponse.badRequest("unsupported prometheus histogram bucket mode");
      }
    }
    StringBuilder out = new StringBuilder();
    for (PrometheusFamilies.Family f : PrometheusFamilies.families(store, params::shouldShow)) {
      switch (f.type()) {
        case COUNTER, GAUGE -> {
          out.append("# TYPE ").append(f.name()).append(' ')
              .append(f.type() == StatType.COUNTER ? "counter" : "gauge").append('\n');
          for (Metric m : f.metrics()) {
            // Envoy's counters and gauges are uint64 (the xDS version gauges hold a 64-bit hash).
            long value = m instanceof CounterImpl c ? c.value() : ((GaugeImpl) m).value();
            out.append(f.name()).append('{').append(PrometheusFamilies.formattedTags(m.tags()))
                .append("} ").append(Long.toUnsignedString(value)).append('\n');
          }
        }
        case HISTOGRAM -> {
          if (summaries) {
            summary(out, f);
          } else {
            histogram(out, f);
          }
        }
      }
    }
    return new StatsResponse(200, StatsResponse.TEXT, out.toString());
  }

  private static void histogram(StringBuilder out, PrometheusFamilies.Family f) {
    String name = f.name();
    out.append("# TYPE ").append(name).append(" histogram\n");
    for (Metric m : f.metrics()) {
      HistogramStatistics stats = ((HistogramImpl) m).cumulativeStatistics();
      String tags = PrometheusFamilies.formattedTags(m.tags());
      String histTags = m.tags().isEmpty() ? "" : tags + ",";
      double[] bounds = stats.supportedBuckets();
      long[] counts = stats.computedBuckets();
      for (int i = 0; i < bounds.length; i++) {
        out.append(name).append("_bucket{").append(histTags).append("le=\"")
            .append(LE_LABELS.computeIfAbsent(bounds[i], b -> DoubleFormat.general(b, 32)))
            .append("\"} ").append(counts[i]).append('\n');
      }
      out.append(name).append("_bucket{").append(histTags).append("le=\"+Inf\"} ")
          .append(stats.sampleCount()).append('\n');
      out.append(name).append("_sum{").append(tags).append("} ")
          .append(DoubleFormat.general(stats.sampleSum(), 32)).append('\n');
      out.append(name).append("_count{").append(tags).append("} ").append(stats.sampleCount()).append('\n');
    }
  }

  private static void summary(StringBuilder out, PrometheusFamilies.Family f) {
    String name = f.name();
    out.append("# TYPE ").append(name).append(" summary\n");
    double[] quantiles = HistogramStatistics.supportedQuantiles();
    for (Metric m : f.metrics()) {
      HistogramStatistics stats = ((HistogramImpl) m).intervalStatistics();
      String tags = PrometheusFamilies.formattedTags(m.tags());
      String histTags = m.tags().isEmpty() ? "" : tags + ",";
      double[] values = stats.computedQuantiles();
      for (int i = 0; i < quantiles.length; i++) {
        out.append(name).append('{').append(histTags).append("quantile=\"")
            .append(DoubleFormat.shortest(quantiles[i])).append("\"} ")
            .append(DoubleFormat.general(values[i], 32)).append('\n');
      }
      out.append(name).append("_sum{").append(tags).append("} ")
          .append(DoubleFormat.general(stats.sampleSum(), 32)).append('\n');
      out.append(name).append("_count{").append(tags).append("} ").append(stats.sampleCount()).append('\n');
    }
  }
}
