package dev.xdsdp.dataplane.stats;

import dev.xdsdp.api.stats.Histogram;
import java.util.ArrayList;
import java.util.List;

/**
 * Quantiles, bucket counts, sample count and approximate sum of one histogram interval (or of its
 * whole life), computed as Envoy's {@code HistogramStatisticsImpl::refresh} does with
 * circllhist's approximations. Immutable.
 */
public final class HistogramStatistics {

  /** Envoy's percent histograms store values scaled by this ({@code Histogram::PercentScale}). */
  static final double PERCENT_SCALE = 1_000_000.0;

  private static final double[] SUPPORTED_QUANTILES = {
    0, 0.25, 0.5, 0.75, 0.90, 0.95, 0.99, 0.995, 0.999, 1
  };

  /** Envoy's default histogram buckets. */
  static final double[] DEFAULT_BUCKETS = {
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000,
    1800000, 3600000
  };

  /** One circllhist bin, for the {@code histogram_buckets=detailed} view. */
  public record DetailedBucket(double lowerBound, double width, long count) {}

  private final double[] computedQuantiles;
  private final double[] supportedBuckets;
  private final long[] computedBuckets;
  private final long sampleCount;
  private final double sampleSum;
  private final BinCounts bins;

  HistogramStatistics(BinCounts bins, Histogram.Unit unit, double[] supportedBuckets) {
    this.bins = bins;
    this.supportedBuckets = supportedBuckets;
    boolean percent = unit == Histogram.Unit.PERCENT;
    this.computedQuantiles = approxQuantiles(bins, SUPPORTED_QUANTILES);
    if (percent) {
      for (int i = 0; i < computedQuantiles.length; i++) {
        computedQuantiles[i] /= PERCENT_SCALE;
      }
    }
    long count = 0;
    double sum = 0.0;
    for (int i = 0; i < bins.size(); i++) {
      count += bins.counts()[i];
      sum += LogLinearBins.midpoint(bins.bins()[i]) * (double) bins.counts()[i];
    }
    this.sampleCount = count;
    this.sampleSum = percent ? sum / PERCENT_SCALE : sum;
    this.computedBuckets = new long[supportedBuckets.length];
    for (int i = 0; i < supportedBuckets.length; i++) {
      double bucket = percent ? supportedBuckets[i] * PERCENT_SCALE : supportedBuckets[i];
      computedBuckets[i] = approxCountBelow(bins, bucket);
    }
  }

  static HistogramStatistics empty(Histogram.Unit unit, double[] supportedBuckets) {
    return new HistogramStatistics(BinCounts.EMPTY, unit, supportedBuckets);
  }

  /** The quantiles every histogram reports: P0, P25, P50, P75, P90, P95, P99, P99.5, P99.9, P100. */
  public static double[] supportedQuantiles() {
    return SUPPORTED_QUANTILES.clone();
  }

  /** The quantile values, NaN when there were no samples. */
  public double[] computedQuantiles() {
    return computedQuantiles.clone();
  }

  /** The Prometheus bucket upper bounds. */
  public double[] supportedBuckets() {
    return supportedBuckets.clone();
  }

  /** For each supported bucket, the number of samples in bins lying entirely at or below it. */
  public long[] computedBuckets() {
    return computedBuckets.clone();
  }

  /** The per-bucket counts, each excluding the samples of the buckets below it. */
  public long[] computeDisjointBuckets() {
    long[] out = new long[computedBuckets.length];
    long previous = 0;
    for (int i = 0; i < computedBuckets.length; i++) {
      out[i] = computedBuckets[i] - previous;
      previous = computedBuckets[i];
    }
    return out;
  }

  public long sampleCount() {
    return sampleCount;
  }

  /** The approximate sum: each sample counted at its bin's midpoint, as circllhist does. */
  public double sampleSum() {
    return sampleSum;
  }

  /** The non-empty bins, ascending. */
  public List<DetailedBucket> detailedBuckets() {
    List<DetailedBucket> out = new ArrayList<>(bins.size());
    for (int i = 0; i < bins.size(); i++) {
      int bin = bins.bins()[i];
      out.add(new DetailedBucket(LogLinearBins.lowerBound(bin), LogLinearBins.width(bin), bins.counts()[i]));
    }
    return out;
  }

  // circllhist's hist_approx_quantile, step for step, so results match Envoy to the last bit.
  private static double[] approxQuantiles(BinCounts bins, double[] quantiles) {
    double[] out = new double[quantiles.length];
    double total = 0.0;
    for (long c : bins.counts()) {
      total += (double) c;
    }
    if (total == 0) {
      java.util.Arrays.fill(out, Double.NaN);
      return out;
    }
    for (int i = 0; i < quantiles.length; i++) {
      out[i] = total * quantiles[i];
    }
    int used = bins.size();
    int ib = 0;
    double width = LogLinearBins.width(bins.bins()[0]);
    double left = LogLinearBins.lowerBound(bins.bins()[0]);
    double lower = 0.0;
    double upper = lower + bins.counts()[0];
    for (int iq = 0; iq < quantiles.length; iq++) {
      while (ib < used - 1 && upper < out[iq]) {
        ib++;
        width = LogLinearBins.width(bins.bins()[ib]);
        left = LogLinearBins.lowerBound(bins.bins()[ib]);
        lower = upper;
        upper = lower + bins.counts()[ib];
      }
      if (lower == out[iq]) {
        out[iq] = left;
      } else if (upper == out[iq]) {
        out[iq] = left + width;
      } else if (width == 0) {
        out[iq] = left;
      } else {
        out[iq] = left + (out[iq] - lower) / (upper - lower) * width;
      }
    }
    return out;
  }

  // circllhist's hist_approx_count_below: whole bins whose upper edge is <= threshold.
  private static long approxCountBelow(BinCounts bins, double threshold) {
    long running = 0;
    for (int i = 0; i < bins.size(); i++) {
      int bin = bins.bins()[i];
      double upper = LogLinearBins.lowerBound(bin) + LogLinearBins.width(bin);
      if (upper <= threshold) {
        running += bins.counts()[i];
      } else {
        break;
      }
    }
    return running;
  }
}
