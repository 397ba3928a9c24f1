package dev.xdsdp.dataplane.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.api.stats.Histogram;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class HistogramImplTest {

  private static HistogramImpl histogram(Histogram.Unit unit) {
    return new StatsStore().histogram("h", unit);
  }

  @Test
  void nothingIsReportedBeforeAMerge() {
    HistogramImpl h = histogram(Histogram.Unit.MILLISECONDS);
    h.record(5);
    assertFalse(h.used());
    assertEquals("No recorded values", h.quantileSummary());
    h.merge();
    assertTrue(h.used());
  }

  // The summaries below are copied from a real Envoy's /stats (an integration test dump).
  @Test
  void summaryMatchesEnvoyForOneSample() {
    HistogramImpl h = histogram(Histogram.Unit.MILLISECONDS);
    h.record(1);
    h.merge();
    assertEquals("P0(1,1) P25(1.025,1.025) P50(1.05,1.05) P75(1.075,1.075) P90(1.09,1.09) "
        + "P95(1.095,1.095) P99(1.099,1.099) P99.5(1.0995,1.0995) P99.9(1.0999,1.0999) P100(1.1,1.1)",
        h.quantileSummary());
    h.merge(); // an interval without samples
    assertEquals("P0(nan,1) P25(nan,1.025) P50(nan,1.05) P75(nan,1.075) P90(nan,1.09) "
        + "P95(nan,1.095) P99(nan,1.099) P99.5(nan,1.0995) P99.9(nan,1.0999) P100(nan,1.1)",
        h.quantileSummary());
  }

  @Test
  void summaryMatchesEnvoyForTwoDigitAndZeroSamples() {
    HistogramImpl ten = histogram(Histogram.Unit.MILLISECONDS);
    ten.record(10);
    ten.merge();
    ten.merge();
    assertEquals("P0(nan,10) P25(nan,10.25) P50(nan,10.5) P75(nan,10.75) P90(nan,10.9) "
        + "P95(nan,10.95) P99(nan,10.99) P99.5(nan,10.995) P99.9(nan,10.999) P100(nan,11)",
        ten.quantileSummary());

    HistogramImpl zero = histogram(Histogram.Unit.MILLISECONDS);
    zero.record(0);
    zero.merge();
    zero.merge();
    assertEquals("P0(nan,0) P25(nan,0) P50(nan,0) P75(nan,0) P90(nan,0) P95(nan,0) P99(nan,0) "
        + "P99.5(nan,0) P99.9(nan,0) P100(nan,0)", zero.quantileSummary());
  }

  @Test
  void intervalsAndCumulativeTotalsSeparate() {
    HistogramImpl h = histogram(Histogram.Unit.MILLISECONDS);
    h.record(1);
    h.record(3);
    h.merge();
    h.record(7);
    h.record(700);
    h.merge();
    HistogramStatistics interval = h.intervalStatistics();
    HistogramStatistics cumulative = h.cumulativeStatistics();
    assertEquals(2, interval.sampleCount());
    assertEquals(4, cumulative.sampleCount());
    // Samples count at their bin's midpoint: 7.05 + 705 and 1.05 + 3.05 + 7.05 + 705.
    assertEquals(7.05 + 705.0, interval.sampleSum(), 1e-9);
    assertEquals(1.05 + 3.05 + 7.05 + 705.0, cumulative.sampleSum(), 1e-9);
    // A bin counts below a bound only when its upper edge is at or below it: 1 lives in [1, 1.1).
    assertArrayEquals(new long[] {0, 0, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4},
        cumulative.computedBuckets());
    assertArrayEquals(new long[] {0, 0, 2, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        cumulative.computeDisjointBuckets());
    assertEquals("B0.5(0,0) B1(0,0) B5(0,2) B10(1,3) B25(1,3) B50(1,3) B100(1,3) B250(1,3) "
        + "B500(1,3) B1000(2,4) B2500(2,4) B5000(2,4) B10000(2,4) B30000(2,4) B60000(2,4) "
        + "B300000(2,4) B600000(2,4) B1.8e+06(2,4) B3.6e+06(2,4)", h.bucketSummary());
    assertEquals(List.of(
        new HistogramStatistics.DetailedBucket(1, 0.1, 1),
        new HistogramStatistics.DetailedBucket(3, 0.1, 1),
        new HistogramStatistics.DetailedBucket(7, 0.1, 1),
        new HistogramStatistics.DetailedBucket(700, 10, 1)), cumulative.detailedBuckets());
  }

  @Test
  void largeValuesKeepTwoSignificantDigits() {
    assertEquals(123 / 10 * 10.0, LogLinearBins.lowerBound(LogLinearBins.binIndex(123)));
    assertEquals(10.0, LogLinearBins.width(LogLinearBins.binIndex(123)));
    int max = LogLinearBins.binIndex(Long.MAX_VALUE);
    assertEquals(LogLinearBins.BIN_COUNT - 1 - (99 - 92), max);
    // As circllhist computes it, in double arithmetic: (92 / 10.0) * 1e18.
    assertEquals((92 / 10.0) * 1e18, LogLinearBins.lowerBound(max));
    assertEquals(0, LogLinearBins.binIndex(-5));
  }

  @Test
  void percentHistogramsAreScaled() {
    HistogramImpl h = histogram(Histogram.Unit.PERCENT);
    h.record(500_000); // 50% in Envoy's fixed-point percent
    h.merge();
    assertEquals(0.5, h.cumulativeStatistics().computedQuantiles()[0]);
    assertEquals(0.505, h.cumulativeStatistics().sampleSum(), 1e-12); // bin midpoint 505000
    // Bucket bounds are percent too: 0.5 counts the [0.5, 0.51) bin only once its edge fits.
    assertEquals(0, h.cumulativeStatistics().computedBuckets()[0]);
    assertEquals(1, h.cumulativeStatistics().computedBuckets()[1]);
  }

  @Test
  void concurrentRecordingLosesNothing() throws Exception {
    HistogramImpl h = histogram(Histogram.Unit.MILLISECONDS);
    int threads = 8;
    int perThread = 50_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int seed = t;
      Thread w = Thread.ofPlatform().start(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (int i = 0; i < perThread; i++) {
          h.record((i * 31L + seed) % 5000);
          if (i % 10_000 == 0) {
            h.merge(); // merges racing with records must not lose or double count
          }
        }
      });
      workers.add(w);
    }
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    h.merge();
    assertEquals((long) threads * perThread, h.cumulativeStatistics().sampleCount());
  }
}
