package dev.xdsdp.dataplane.stats;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code /stats} in Envoy's text and JSON forms. Counters and gauges come first, merged and sorted
 * by name, then histograms sorted by name.
 */
final class StatsTextRenderer {

  private StatsTextRenderer() {}

  /** Counters and gauges to show, by name; a gauge replaces a counter of the same name, as in Envoy. */
  private static Map<String, Long> numbers(StatsStore store, StatsParams params) {
    Map<String, Long> out = new TreeMap<>();
    StatsParams.Type type = params.type();
    if (type == StatsParams.Type.ALL || type == StatsParams.Type.COUNTERS) {
      for (CounterImpl c : store.counters()) {
        if (params.shouldShow(c)) {
          out.put(c.name(), c.value());
        }
      }
    }
    if (type == StatsParams.Type.ALL || type == StatsParams.Type.GAUGES) {
      for (GaugeImpl g : store.gauges()) {
        if (params.shouldShow(g)) {
          out.put(g.name(), g.value());
        }
      }
    }
    return out;
  }

  private static List<HistogramImpl> histograms(StatsStore store, StatsParams params) {
    StatsParams.Type type = params.type();
    if (type != StatsParams.Type.ALL && type != StatsParams.Type.HISTOGRAMS) {
      return List.of();
    }
    return store.histograms().stream()
        .filter(params::shouldShow)
        .sorted(Comparator.comparing(HistogramImpl::name))
        .toList();
  }

  static String text(StatsStore store, StatsParams params) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, Long> e : numbers(store, params).entrySet()) {
      // Envoy's counters and gauges are uint64 (the xDS version gauges hold a 64-bit hash).
      out.append(e.getKey()).append(": ").append(Long.toUnsignedString(e.getValue())).append('\n');
    }
    for (HistogramImpl h : histograms(store, params)) {
      appendHistogramText(out, h, params.histogramBuckets());
    }
    return out.toString();
  }

  private static void appendHistogramText(StringBuilder out, HistogramImpl h, StatsParams.BucketsMode mode) {
    out.append(h.name());
    if (!h.used()) {
      out.append(": No recorded values\n");
      return;
    }
    switch (mode) {
      case UNSET, SUMMARY -> out.append(": ").append(h.quantileSummary()).append('\n');
      case CUMULATIVE -> out.append(": ").append(h.bucketSummary()).append('\n');
      case DISJOINT -> {
        double[] buckets = h.intervalStatistics().supportedBuckets();
        long[] iv = h.intervalStatistics().computeDisjointBuckets();
        long[] cv = h.cumulativeStatistics().computeDisjointBuckets();
        out.append(": ");
        for (int i = 0; i < buckets.length; i++) {
          if (i > 0) {
            out.append(' ');
          }
          out.append('B').append(DoubleFormat.general(buckets[i], 6)).append('(')
              .append(iv[i]).append(',').append(cv[i]).append(')');
        }
        out.append('\n');
      }
      case DETAILED -> {
        out.append(":\n  totals=");
        appendDetail(out, h.cumulativeStatistics().detailedBuckets());
        out.append("\n  intervals=");
        appendDetail(out, h.intervalStatistics().detailedBuckets());
        out.append("\n  summary=").append(h.quantileSummary()).append('\n');
      }
    }
  }

  private static void appendDetail(StringBuilder out, List<HistogramStatistics.DetailedBucket> buckets) {
    String delim = "";
    for (HistogramStatistics.DetailedBucket b : buckets) {
      out.append(delim).append(DoubleFormat.general(b.lowerBound(), 15)).append(',')
          .append(DoubleFormat.general(b.width(), 15)).append(':').append(b.count());
      delim = ", ";
    }
  }

  static String json(StatsStore store, StatsParams params) {
    StringBuilder out = new StringBuilder("{\"stats\":[");
    String sep = "";
    for (Map.Entry<String, Long> e : numbers(store, params).entrySet()) {
      out.append(sep).append("{\"name\":");
      jsonString(out, e.getKey());
      out.append(",\"value\":").append(Long.toUnsignedString(e.getValue())).append('}');
      sep = ",";
    }
    List<HistogramImpl> hs = histograms(store, params);
    if (!hs.isEmpty()) {
      out.append(sep).append("{\"histograms\":");
      switch (params.histogramBuckets()) {
        case UNSET, SUMMARY -> {
          out.append("{\"supported_quantiles\":");
          supportedPercentiles(out);
          out.append(",\"computed_quantiles\":[");
          String hsep = "";
          for (HistogramImpl h : hs) {
            out.append(hsep).append("{\"name\":");
            jsonString(out, h.name());
            out.append(",\"values\":");
            percentiles(out, h);
            out.append('}');
            hsep = ",";
          }
          out.append("]}");
        }
        case CUMULATIVE, DISJOINT -> {
          boolean disjoint = params.histogramBuckets() == StatsParams.BucketsMode.DISJOINT;
          out.append('[');
          String hsep = "";
          for (HistogramImpl h : hs) {
            HistogramStatistics iv = h.intervalStatistics();
            HistogramStatistics cv = h.cumulativeStatistics();
            double[] bounds = iv.supportedBuckets();
            long[] ib = disjoint ? iv.computeDisjointBuckets() : iv.computedBuckets();
            long[] cb = disjoint ? cv.computeDisjointBuckets() : cv.computedBuckets();
            out.append(hsep).append("{\"name\":");
            jsonString(out, h.name());
            out.append(",\"buckets\":[");
            for (int i = 0; i < bounds.length; i++) {
              out.append(i > 0 ? "," : "").append("{\"upper_bound\":").append(jsonNumber(bounds[i]))
                  .append(",\"interval\":").append(ib[i])
                  .append(",\"cumulative\":").append(cb[i]).append('}');
            }
            out.append("]}");
            hsep = ",";
          }
          out.append(']');
        }
        case DETAILED -> {
          out.append("{\"supported_percentiles\":");
          supportedPercentiles(out);
          out.append(",\"details\":[");
          String hsep = "";
          for (HistogramImpl h : hs) {
            out.append(hsep).append("{\"name\":");
            jsonString(out, h.name());
            out.append(",\"totals\":");
            detailJson(out, h.cumulativeStatistics().detailedBuckets());
            out.append(",\"intervals\":");
            detailJson(out, h.intervalStatistics().detailedBuckets());
            out.append(",\"percentiles\":");
            percentiles(out, h);
            out.append('}');
            hsep = ",";
          }
          out.append("]}");
        }
      }
      out.append('}');
    }
    return out.append("]}").toString();
  }

  private static void supportedPercentiles(StringBuilder out) {
    out.append('[');
    double[] q = HistogramStatistics.supportedQuantiles();
    for (int i = 0; i < q.length; i++) {
      out.append(i > 0 ? "," : "").append(jsonNumber(q[i] * 100));
    }
    out.append(']');
  }

  private static void percentiles(StringBuilder out, HistogramImpl h) {
    double[] cv = h.cumulativeStatistics().computedQuantiles();
    double[] iv = h.intervalStatistics().computedQuantiles();
    out.append('[');
    for (int i = 0; i < cv.length; i++) {
      out.append(i > 0 ? "," : "").append("{\"cumulative\":").append(jsonNumber(cv[i]))
          .append(",\"interval\":").append(jsonNumber(iv[i])).append('}');
    }
    out.append(']');
  }

  private static void detailJson(StringBuilder out, List<HistogramStatistics.DetailedBucket> buckets) {
    out.append('[');
    String sep = "";
    for (HistogramStatistics.DetailedBucket b : buckets) {
      out.append(sep).append("{\"lower_bound\":").append(jsonNumber(b.lowerBound()))
          .append(",\"width\":").append(jsonNumber(b.width()))
          .append(",\"count\":").append(b.count()).append('}');
      sep = ",";
    }
    out.append(']');
  }

  /** Envoy's JSON streamer: NaN is null, other doubles as {@code std::to_chars}. */
  private static String jsonNumber(double d) {
    return Double.isNaN(d) ? "null" : DoubleFormat.toChars(d);
  }

  static void jsonString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
