package dev.xdsdp.dataplane.stats;

import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.util.List;

/**
 * The store as a simpleclient {@link Collector}, for code that works with a
 * {@code CollectorRegistry} (push gateways, OpenMetrics output, tests). Families, labels and
 * buckets are the same as {@code /stats/prometheus}; counters follow simpleclient's convention
 * instead of Envoy's: the family is named without {@code _total} and every sample with it, so an
 * Envoy counter not ending in {@code _total} gains the suffix here. {@code /stats/prometheus}
 * itself is written by {@link PrometheusRenderer} with Envoy's exact names.
 */
public final class EnvoyStatsCollector extends Collector {

  private final StatsStore store;

  public EnvoyStatsCollector(StatsStore store) {
    this.store = store;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    List<MetricFamilySamples> out = new ArrayList<>();
    for (PrometheusFamilies.Family f : PrometheusFamilies.families(store, m -> true)) {
      switch (f.type()) {
        case COUNTER -> {
          String base = f.name().endsWith("_total")
              ? f.name().substring(0, f.name().length() - "_total".length())
              : f.name();
          List<MetricFamilySamples.Sample> samples = new ArrayList<>();
          for (Metric m : f.metrics()) {
            samples.add(sample(base + "_total", m.tags(), null, unsigned(((CounterImpl) m).value())));
          }
          out.add(new MetricFamilySamples(base, Type.COUNTER, help(f), samples));
        }
        case GAUGE -> {
          List<MetricFamilySamples.Sample> samples = new ArrayList<>();
          for (Metric m : f.metrics()) {
            samples.add(sample(f.name(), m.tags(), null, unsigned(((GaugeImpl) m).value())));
          }
          out.add(new MetricFamilySamples(f.name(), Type.GAUGE, help(f), samples));
        }
        case HISTOGRAM -> {
          List<MetricFamilySamples.Sample> samples = new ArrayList<>();
          for (Metric m : f.metrics()) {
            HistogramStatistics stats = ((HistogramImpl) m).cumulativeStatistics();
            double[] bounds = stats.supportedBuckets();
            long[] counts = stats.computedBuckets();
            for (int i = 0; i < bounds.length; i++) {
              samples.add(sample(f.name() + "_bucket", m.tags(), doubleToGoString(bounds[i]), counts[i]));
            }
            samples.add(sample(f.name() + "_bucket", m.tags(), "+Inf", stats.sampleCount()));
            samples.add(sample(f.name() + "_count", m.tags(), null, stats.sampleCount()));
            samples.add(sample(f.name() + "_sum", m.tags(), null, stats.sampleSum()));
          }
          out.add(new MetricFamilySamples(f.name(), Type.HISTOGRAM, help(f), samples));
        }
      }
    }
    return out;
  }

  /** Envoy's counters and gauges are uint64: a value past Long.MAX_VALUE is not negative. */
  static double unsigned(long value) {
    return value >= 0 ? value : (double) (value >>> 1) * 2.0 + (value & 1);
  }

  private static String help(PrometheusFamilies.Family f) {
    return "Envoy " + f.type().name().toLowerCase(java.util.Locale.ROOT) + " " + f.metrics().getFirst().tagExtractedName();
  }

  private static MetricFamilySamples.Sample sample(String name, List<Tag> tags, String le, double value) {
    List<String> names = new ArrayList<>(tags.size() + 1);
    List<String> values = new ArrayList<>(tags.size() + 1);
    for (Tag t : tags) {
      names.add(PrometheusFamilies.sanitizeName(t.name()));
      values.add(t.value());
    }
    if (le != null) {
      names.add("le");
      values.add(le);
    }
    return new MetricFamilySamples.Sample(name, names, values, value);
  }
}
