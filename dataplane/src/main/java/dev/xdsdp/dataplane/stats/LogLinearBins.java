package dev.xdsdp.dataplane.stats;

/**
 * The bin layout of Envoy's histograms (libcircllhist): log-linear bins with two significant
 * decimal digits. An integer sample {@code v >= 1} falls in the bin {@code [d.d * 10^e,
 * (d.d + 0.1) * 10^e)}; zero (and, here, any negative sample) has its own bin of width 0. Keeping
 * Envoy's layout keeps its quantile, bucket and sum approximations identical.
 *
 * <p>Bin indexes grow with the value: 0 is the zero bin, then {@code 1 + exp * 90 + (val - 10)}
 * for the two-digit mantissa {@code val} in [10, 99] and decimal exponent {@code exp} in [0, 18].
 */
final class LogLinearBins {

  static final int DECADES = 19;
  static final int BINS_PER_DECADE = 90;
  static final int BIN_COUNT = 1 + DECADES * BINS_PER_DECADE;

  private static final long[] POW10 = new long[DECADES];
  // circllhist's power_of_ten table holds the double literals 1e0..1e18.
  private static final double[] POW10_DOUBLE = new double[DECADES];

  static {
    long p = 1;
    for (int i = 0; i < DECADES; i++) {
      POW10[i] = p;
      POW10_DOUBLE[i] = Double.parseDouble("1e" + i);
      p *= 10;
    }
  }

  private LogLinearBins() {}

  /** The bin a sample falls in, as circllhist's {@code int_scale_to_hist_bucket(v, 0)}. */
  static int binIndex(long value) {
    if (value <= 0) {
      return 0;
    }
    int exp = 0;
    while (exp + 1 < DECADES && value >= POW10[exp + 1]) {
      exp++;
    }
    long val = exp == 0 ? value * 10 : value / POW10[exp - 1];
    return 1 + exp * BINS_PER_DECADE + (int) (val - 10);
  }

  /** The bin's lower bound ({@code hist_bucket_to_double}). */
  static double lowerBound(int bin) {
    if (bin == 0) {
      return 0.0;
    }
    int exp = (bin - 1) / BINS_PER_DECADE;
    int val = 10 + (bin - 1) % BINS_PER_DECADE;
    return (val / 10.0) * POW10_DOUBLE[exp];
  }

  /** The bin's width ({@code hist_bucket_to_double_bin_width}). */
  static double width(int bin) {
    if (bin == 0) {
      return 0.0;
    }
    return POW10_DOUBLE[(bin - 1) / BINS_PER_DECADE] / 10.0;
  }

  /** The bin's midpoint ({@code hist_bucket_midpoint}), used for the approximate sum. */
  static double midpoint(int bin) {
    if (bin == 0) {
      return 0.0;
    }
    return lowerBound(bin) + width(bin) / 2.0;
  }
}
