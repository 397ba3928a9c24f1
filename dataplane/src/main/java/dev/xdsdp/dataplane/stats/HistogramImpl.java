package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram with Envoy's log-linear bins. Recording is lock-free from any thread. As in Envoy,
 * the reported statistics change only when {@link #merge()} runs (the server calls {@link
 * StatsStore#mergeHistograms()} on its stats flush timer): each merge computes the interval since
 * the previous merge and the cumulative totals.
 */
public final class HistogramImpl implements Histogram, Metric {

  // "P0", "P25", ... "P99.5", "P100": fmt's "P{:g}" of 100 * quantile.
  private static final String[] QUANTILE_LABELS = java.util.Arrays.stream(HistogramStatistics.supportedQuantiles())
      .mapToObj(q -> "P" + DoubleFormat.general(100 * q, 6)).toArray(String[]::new);

  private final String name;
  private final String tagExtractedName;
  private final List<Tag> tags;
  private final Unit unit;
  private final double[] supportedBuckets;

  private final LongAdder zeroBin = new LongAdder();
  // One array of 90 counters per decade, allocated on first use: most histograms touch only a few.
  private final AtomicReferenceArray<AtomicLongArray> decades =
      new AtomicReferenceArray<>(LogLinearBins.DECADES);
  private volatile boolean recorded;

  private final Object mergeLock = new Object();
  private BinCounts lastMerged = BinCounts.EMPTY;
  private volatile boolean merged;
  private volatile HistogramStatistics interval;
  private volatile HistogramStatistics cumulative;

  HistogramImpl(String name, String tagExtractedName, List<Tag> tags, Unit unit, double[] supportedBuckets) {
    this.name = name;
    this.tagExtractedName = tagExtractedName;
    this.tags = tags;
    this.unit = unit;
    this.supportedBuckets = supportedBuckets;
    this.interval = HistogramStatistics.empty(unit, supportedBuckets);
    this.cumulative = interval;
  }

  /** Records one sample. Negative samples count as zero (Envoy's samples are unsigned). */
  @Override
  public void record(long value) {
    int bin = LogLinearBins.binIndex(value);
    if (bin == 0) {
      zeroBin.increment();
    } else {
      int decade = (bin - 1) / LogLinearBins.BINS_PER_DECADE;
      AtomicLongArray counts = decades.get(decade);
      if (counts == null) {
        decades.compareAndSet(decade, null, new AtomicLongArray(LogLinearBins.BINS_PER_DECADE));
        counts = decades.get(decade);
      }
      counts.incrementAndGet((bin - 1) % LogLinearBins.BINS_PER_DECADE);
    }
    if (!recorded) {
      recorded = true;
    }
  }

  /**
   * Closes the current interval: the samples recorded since the previous merge become the
   * interval statistics and are added to the cumulative ones.
   */
  public void merge() {
    synchronized (mergeLock) {
      if (!merged && !recorded) {
        return;
      }
      BinCounts now = snapshot();
      interval = new HistogramStatistics(now.minus(lastMerged), unit, supportedBuckets);
      cumulative = new HistogramStatistics(now, unit, supportedBuckets);
      lastMerged = now;
      merged = true;
    }
  }

  private BinCounts snapshot() {
    int[] bins = new int[LogLinearBins.BIN_COUNT];
    long[] counts = new long[LogLinearBins.BIN_COUNT];
    int n = 0;
    long zero = zeroBin.sum();
    if (zero > 0) {
      bins[n] = 0;
      counts[n++] = zero;
    }
    for (int d = 0; d < LogLinearBins.DECADES; d++) {
      AtomicLongArray decade = decades.get(d);
      if (decade == null) {
        continue;
      }
      for (int i = 0; i < LogLinearBins.BINS_PER_DECADE; i++) {
        long c = decade.get(i);
        if (c > 0) {
          bins[n] = 1 + d * LogLinearBins.BINS_PER_DECADE + i;
          counts[n++] = c;
        }
      }
    }
    return new BinCounts(Arrays.copyOf(bins, n), Arrays.copyOf(counts, n));
  }

  /** The statistics of the last merged interval. */
  public HistogramStatistics intervalStatistics() {
    return interval;
  }

  /** The statistics of every sample merged so far. */
  public HistogramStatistics cumulativeStatistics() {
    return cumulative;
  }

  /**
   * Envoy's text summary: {@code P0(interval,cumulative) P25(..) ...}, or {@code No recorded
   * values} before the first merge that saw a sample.
   */
  public String quantileSummary() {
    if (!used()) {
      return "No recorded values";
    }
    double[] iv = interval.computedQuantiles();
    double[] cv = cumulative.computedQuantiles();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < QUANTILE_LABELS.length; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(QUANTILE_LABELS[i]).append('(')
          .append(DoubleFormat.shortest(iv[i])).append(',')
          .append(DoubleFormat.shortest(cv[i])).append(')');
    }
    return sb.toString();
  }

  /** Envoy's cumulative bucket summary: {@code B0.5(interval,cumulative) B1(..) ...}. */
  public String bucketSummary() {
    if (!used()) {
      return "No recorded values";
    }
    long[] iv = interval.computedBuckets();
    long[] cv = cumulative.computedBuckets();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < supportedBuckets.length; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append('B').append(DoubleFormat.general(supportedBuckets[i], 6)).append('(')
          .append(iv[i]).append(',').append(cv[i]).append(')');
    }
    return sb.toString();
  }

  @Override
  public Unit unit() {
    return unit;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String tagExtractedName() {
    return tagExtractedName;
  }

  @Override
  public List<Tag> tags() {
    return tags;
  }

  /** True once a merge has seen a recorded sample, as Envoy's {@code ParentHistogram::used()}. */
  @Override
  public boolean used() {
    return merged;
  }

  @Override
  public String toString() {
    return name + ": " + quantileSummary();
  }
}
