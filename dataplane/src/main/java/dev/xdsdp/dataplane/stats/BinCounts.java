package dev.xdsdp.dataplane.stats;

import java.util.Arrays;

/**
 * A histogram's non-empty bins in ascending order: parallel arrays of bin index (see {@link
 * LogLinearBins}) and sample count.
 */
record BinCounts(int[] bins, long[] counts) {

  static final BinCounts EMPTY = new BinCounts(new int[0], new long[0]);

  BinCounts {
    if (bins.length != counts.length) {
      throw new IllegalArgumentException("bins and counts differ in length");
    }
  }

  int size() {
    return bins.length;
  }

  /** The bins of {@code this} minus the bins of {@code earlier}, dropping bins that end up empty. */
  BinCounts minus(BinCounts earlier) {
    int[] outBins = new int[bins.length];
    long[] outCounts = new long[bins.length];
    int n = 0;
    int j = 0;
    for (int i = 0; i < bins.length; i++) {
      while (j < earlier.bins.length && earlier.bins[j] < bins[i]) {
        j++;
      }
      long c = counts[i];
      if (j < earlier.bins.length && earlier.bins[j] == bins[i]) {
        c -= earlier.counts[j];
      }
      if (c > 0) {
        outBins[n] = bins[i];
        outCounts[n] = c;
        n++;
      }
    }
    return new BinCounts(Arrays.copyOf(outBins, n), Arrays.copyOf(outCounts, n));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BinCounts other
        && Arrays.equals(bins, other.bins)
        && Arrays.equals(counts, other.counts);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(bins) + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("BinCounts[");
    for (int i = 0; i < bins.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(LogLinearBins.lowerBound(bins[i])).append(':').append(counts[i]);
    }
    return sb.append(']').toString();
  }
}
