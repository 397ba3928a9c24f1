package dev.xdsdp.bench.engines;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Warms an engine up until it stops getting faster: runs the request cycle in 250 ms chunks and
 * stops (after at least {@link #MIN_SECONDS}) when the median of the last 2 s ({@link #HALF}
 * chunks) is less than 3% better than the median of the 2 s before, and within 10% of the best
 * 2-second median seen so far (so a slow burst, e.g. a JIT compilation or another process on the
 * core, does not count as "done"); or at the time bound. Medians, so that short bursts do not keep
 * it going either. benchmarks/engines/v8/host.mjs does the same for V8.
 */
public final class Prewarm {

  public static final int HALF = 8;
  public static final double MIN_SECONDS = 3;
  private static volatile int sink;

  private Prewarm() {}

  static double median(double[] v, int from, int to) {
    double[] s = Arrays.copyOfRange(v, from, to);
    Arrays.sort(s);
    int m = s.length;
    return m % 2 == 1 ? s[m / 2] : (s[m / 2 - 1] + s[m / 2]) / 2;
  }

  /** Runs {@code request} until it stops improving or for {@code maxSeconds}; returns a one-line report. */
  public static String run(IntSupplier request, double maxSeconds) {
    long start = System.nanoTime();
    long deadline = start + (long) (maxSeconds * 1e9);
    long minEnd = start + (long) (MIN_SECONDS * 1e9);
    double[] chunks = new double[64];
    int n = 0;
    long requests = 0;
    int s = 0;
    boolean stable = false;
    double best = Double.MAX_VALUE;
    long now = start;
    while (now < deadline && !stable) {
      long chunkStart = now;
      long until = chunkStart + 250_000_000L;
      long k = 0;
      do {
        for (int i = 0; i < 100; i++) {
          s += request.getAsInt();
        }
        k += 100;
        now = System.nanoTime();
      } while (now < until);
      requests += k;
      if (n == chunks.length) {
        chunks = Arrays.copyOf(chunks, n * 2);
      }
      chunks[n++] = (now - chunkStart) / (double) k;
      if (n >= HALF) {
        best = Math.min(best, median(chunks, n - HALF, n));
      }
      if (n >= 2 * HALF && now >= minEnd) {
        double before = median(chunks, n - 2 * HALF, n - HALF);
        double last = median(chunks, n - HALF, n);
        stable = last >= 0.97 * before && last <= 1.10 * best;
      }
    }
    sink = s;
    StringBuilder trail = new StringBuilder();
    for (int i = 3; i < n; i += 4) {
      trail.append(trail.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.0f", chunks[i]));
    }
    return String.format(
        Locale.ROOT,
        "prewarm: %s after %.1f s (%d requests), last 2 s median %.1f ns/op; ns/op each second: %s",
        stable ? "stable" : "NOT stable (time bound)",
        (now - start) / 1e9,
        requests,
        n >= HALF ? median(chunks, n - HALF, n) : Double.NaN,
        trail);
  }
}
