package dev.xdsdp.bench.coldstart;

import java.util.Arrays;

/**
 * The per-request time series after a module's first request, in batches, and when it reaches
 * steady state: the steady-state time is the median of the last fifth of the batches (at least 5),
 * and the module is warm at the end of the first batch whose trailing rolling median (over
 * {@link #WINDOW} batches) is within 10% of it. benchmarks/engines/v8/host.mjs computes the same.
 */
public final class WarmupSeries {

  public static final int WINDOW = 9;

  private final int batchSize;
  private double[] nsPerRequest = new double[1024];
  private double[] endMillis = new double[1024];
  private int n;

  public WarmupSeries(int batchSize) {
    this.batchSize = batchSize;
  }

  /** Records one batch: its time per request and when it ended (ms after the first request). */
  public void add(double ns, double atMillis) {
    if (n == nsPerRequest.length) {
      nsPerRequest = Arrays.copyOf(nsPerRequest, n * 2);
      endMillis = Arrays.copyOf(endMillis, n * 2);
    }
    nsPerRequest[n] = ns;
    endMillis[n] = atMillis;
    n++;
  }

  public int batches() {
    return n;
  }

  static double median(double[] v, int from, int to) {
    double[] s = Arrays.copyOfRange(v, from, to);
    Arrays.sort(s);
    int m = s.length;
    return m % 2 == 1 ? s[m / 2] : (s[m / 2 - 1] + s[m / 2]) / 2;
  }

  /** Steady-state ns per request, or NaN without enough batches. */
  public double steady() {
    if (n < 2 * WINDOW) {
      return Double.NaN;
    }
    int tail = Math.max(5, n / 5);
    return median(nsPerRequest, n - tail, n);
  }

  /**
   * True when the series was still getting faster at its end: the median of its last fifth is more
   * than 10% below the median of the fifth before. Then the "steady state" is not one yet and the
   * warm-up time is a lower bound.
   */
  public boolean stillImproving() {
    if (n < 2 * WINDOW) {
      return false;
    }
    int tail = Math.max(5, n / 5);
    if (n < 2 * tail) {
      return false;
    }
    return median(nsPerRequest, n - tail, n) < 0.9 * median(nsPerRequest, n - 2 * tail, n - tail);
  }

  /** The index of the first batch ending a window within 10% of steady state, or -1. */
  public int warmBatch() {
    double steady = steady();
    if (Double.isNaN(steady)) {
      return -1;
    }
    for (int i = WINDOW - 1; i < n; i++) {
      double m = median(nsPerRequest, i - WINDOW + 1, i + 1);
      if (Math.abs(m - steady) <= 0.10 * steady) {
        return i;
      }
    }
    return -1;
  }

  /** The summary as JSON fields (no braces): steady_ns, still_improving, warm_ms, warm_requests, first batches. */
  public String json() {
    int w = warmBatch();
    StringBuilder b = new StringBuilder();
    b.append("\"batch\":").append(batchSize).append(",\"batches\":").append(n);
    b.append(",\"steady_ns\":").append(fmt(steady()));
    b.append(",\"still_improving\":").append(stillImproving());
    b.append(",\"warm_ms\":").append(w < 0 ? "null" : fmt(endMillis[w]));
    b.append(",\"warm_requests\":").append(w < 0 ? "null" : Long.toString((long) (w + 1) * batchSize));
    b.append(",\"first_batches_ns\":[");
    for (int i = 0; i < Math.min(n, 10); i++) {
      b.append(i == 0 ? "" : ",").append(fmt(nsPerRequest[i]));
    }
    b.append(']');
    return b.toString();
  }

  static String fmt(double v) {
    return Double.isNaN(v) ? "null" : String.format(java.util.Locale.ROOT, "%.1f", v);
  }
}
