package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import dev.xdsdp.api.stats.StatsScope;
import io.envoyproxy.envoy.config.metrics.v3.HistogramBucketSettings;
import io.envoyproxy.envoy.config.metrics.v3.StatsConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The process-wide stats store, Envoy's root scope (prefix ""). Every component asks it (or a
 * {@link #scope child scope}) for its stats once, when its config is built, and keeps the
 * references: the same name always returns the same object, and updates are lock-free from any
 * thread.
 *
 * <p>Names are tag-extracted once, at creation, with the bootstrap's {@code stats_tags} rules.
 * Stats the {@code stats_matcher} rejects still work for their owner but are not exported to
 * {@code /stats} or Prometheus. Histogram statistics move forward when the server calls {@link
 * #mergeHistograms()} from its stats flush timer.
 */
public final class StatsStore implements StatsScope {

  private final TagProducer tagProducer;
  private final StatsMatcher matcher;
  private final List<BucketSetting> bucketSettings;
  private final Set<String> customNamespaces = ConcurrentHashMap.newKeySet();

  private final ConcurrentHashMap<String, CounterImpl> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, GaugeImpl> gauges = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, HistogramImpl> histograms = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CounterImpl> rejectedCounters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, GaugeImpl> rejectedGauges = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, HistogramImpl> rejectedHistograms = new ConcurrentHashMap<>();

  private record BucketSetting(Predicate<String> match, double[] buckets) {}

  /** A store with Envoy's default tags, every stat accepted and the default buckets. */
  public StatsStore() {
    this(TagProducer.defaults(), StatsMatcher.acceptAll(), List.of());
  }

  public StatsStore(TagProducer tagProducer, StatsMatcher matcher) {
    this(tagProducer, matcher, List.of());
  }

  private StatsStore(TagProducer tagProducer, StatsMatcher matcher, List<BucketSetting> bucketSettings) {
    this.tagProducer = Objects.requireNonNull(tagProducer, "tagProducer");
    this.matcher = Objects.requireNonNull(matcher, "matcher");
    this.bucketSettings = bucketSettings;
  }

  /**
   * A store configured by bootstrap {@code stats_config}: {@code use_all_default_tags},
   * {@code stats_tags}, {@code stats_matcher} and {@code histogram_bucket_settings}.
   *
   * @throws IllegalArgumentException naming what is invalid, with Envoy's wording where it has one
   */
  public static StatsStore create(StatsConfig config) {
    List<BucketSetting> settings = new ArrayList<>();
    for (HistogramBucketSettings s : config.getHistogramBucketSettingsList()) {
      if (s.getBucketsCount() == 0) {
        throw new IllegalArgumentException("histogram_bucket_settings.buckets must not be empty");
      }
      double[] buckets = s.getBucketsList().stream().mapToDouble(Double::doubleValue).sorted().toArray();
      for (int i = 0; i < buckets.length; i++) {
        if (!(buckets[i] > 0) || (i > 0 && buckets[i] == buckets[i - 1])) {
          throw new IllegalArgumentException(
              "histogram_bucket_settings.buckets must be unique and greater than 0: " + s.getBucketsList());
        }
      }
      settings.add(new BucketSetting(StringMatchers.of(s.getMatch()), buckets));
    }
    return new StatsStore(TagProducer.from(config), StatsMatcher.from(config.getStatsMatcher()),
        List.copyOf(settings));
  }

  @Override
  public String prefix() {
    return "";
  }

  @Override
  public StatsScope scope(String name) {
    return new ScopeImpl(this, ScopeImpl.childPrefix("", name));
  }

  @Override
  public CounterImpl counter(String name) {
    CounterImpl c = counters.get(name);
    if (c != null) {
      return c;
    }
    if (matcher.rejects(name)) {
      return rejectedCounters.computeIfAbsent(name, n -> new CounterImpl(n, n, List.of()));
    }
    return counters.computeIfAbsent(name, n -> {
      TagProducer.Extraction x = tagProducer.produceTags(n);
      return new CounterImpl(n, x.tagExtractedName(), x.tags());
    });
  }

  @Override
  public GaugeImpl gauge(String name) {
    GaugeImpl g = gauges.get(name);
    if (g != null) {
      return g;
    }
    if (matcher.rejects(name)) {
      return rejectedGauges.computeIfAbsent(name, n -> new GaugeImpl(n, n, List.of()));
    }
    return gauges.computeIfAbsent(name, n -> {
      TagProducer.Extraction x = tagProducer.produceTags(n);
      return new GaugeImpl(n, x.tagExtractedName(), x.tags());
    });
  }

  /** The histogram of this name; a later lookup with another unit gets the first one's unit. */
  @Override
  public HistogramImpl histogram(String name, Histogram.Unit unit) {
    HistogramImpl h = histograms.get(name);
    if (h != null) {
      return h;
    }
    Objects.requireNonNull(unit, "unit");
    if (matcher.rejects(name)) {
      return rejectedHistograms.computeIfAbsent(name,
          n -> new HistogramImpl(n, n, List.of(), unit, bucketsFor(n)));
    }
    return histograms.computeIfAbsent(name, n -> {
      TagProducer.Extraction x = tagProducer.produceTags(n);
      return new HistogramImpl(n, x.tagExtractedName(), x.tags(), unit, bucketsFor(n));
    });
  }

  private double[] bucketsFor(String name) {
    for (BucketSetting s : bucketSettings) {
      if (s.match().test(name)) {
        return s.buckets();
      }
    }
    return HistogramStatistics.DEFAULT_BUCKETS;
  }

  /** Closes the histograms' current interval (Envoy's stats flush); call from one thread. */
  public void mergeHistograms() {
    for (HistogramImpl h : histograms.values()) {
      h.merge();
    }
  }

  /** The exported counters, in no particular order. */
  public List<CounterImpl> counters() {
    return List.copyOf(counters.values());
  }

  /** The exported gauges, in no particular order. */
  public List<GaugeImpl> gauges() {
    return List.copyOf(gauges.values());
  }

  /** The exported histograms, in no particular order. */
  public List<HistogramImpl> histograms() {
    return List.copyOf(histograms.values());
  }

  public TagProducer tagProducer() {
    return tagProducer;
  }

  public StatsMatcher statsMatcher() {
    return matcher;
  }

  /**
   * Registers a custom stat namespace (Envoy's {@code CustomStatNamespaces}): stats named
   * {@code <namespace>.<rest>} are exported to Prometheus as {@code <rest>}, without the
   * {@code envoy_} prefix. The Wasm filter registers {@code wasmcustom} for plugin metrics.
   */
  public void registerCustomNamespace(String namespace) {
    if (namespace.isEmpty() || namespace.contains(".")) {
      throw new IllegalArgumentException("invalid custom stat namespace: '" + namespace + "'");
    }
    customNamespaces.add(namespace);
  }

  /**
   * The name without its registered custom namespace, or null when the name has none.
   */
  String stripCustomNamespace(String name) {
    int dot = name.indexOf('.');
    if (dot <= 0 || customNamespaces.isEmpty()) {
      return null;
    }
    return customNamespaces.contains(name.substring(0, dot)) ? name.substring(dot + 1) : null;
  }

  @Override
  public String toString() {
    return "StatsStore[counters=" + counters.size() + ", gauges=" + gauges.size()
        + ", histograms=" + histograms.size() + ", buckets=" + bucketSettings.stream()
            .map(b -> Arrays.toString(b.buckets())).toList() + "]";
  }
}
