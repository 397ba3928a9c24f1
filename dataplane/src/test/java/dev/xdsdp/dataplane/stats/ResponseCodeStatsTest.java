package dev.xdsdp.dataplane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ResponseCodeStatsTest {

  @Test
  void chargesEnvoysPerCodeStats() {
    StatsStore store = new StatsStore();
    ResponseCodeStats codes = new ResponseCodeStats(store.scope("cluster.backend"));
    codes.chargeResponseStat(200, false, false);
    codes.chargeResponseStat(503, true, true);
    codes.chargeResponseStat(700, false, false);
    codes.chargeResponseTiming(12, false, false);
    codes.chargeBasicResponseStat(404, true);

    Map<String, Long> values = new TreeMap<>();
    store.counters().stream().filter(CounterImpl::used).forEach(c -> values.put(c.name(), c.value()));
    assertEquals(Map.ofEntries(
        Map.entry("cluster.backend.upstream_rq_completed", 4L),
        Map.entry("cluster.backend.upstream_rq_2xx", 1L),
        Map.entry("cluster.backend.upstream_rq_200", 1L),
        Map.entry("cluster.backend.upstream_rq_5xx", 1L),
        Map.entry("cluster.backend.upstream_rq_503", 1L),
        Map.entry("cluster.backend.upstream_rq_unknown", 1L),
        Map.entry("cluster.backend.external.upstream_rq_completed", 2L),
        Map.entry("cluster.backend.external.upstream_rq_2xx", 1L),
        Map.entry("cluster.backend.external.upstream_rq_200", 1L),
        Map.entry("cluster.backend.external.upstream_rq_unknown", 1L),
        Map.entry("cluster.backend.internal.upstream_rq_completed", 1L),
        Map.entry("cluster.backend.internal.upstream_rq_5xx", 1L),
        Map.entry("cluster.backend.internal.upstream_rq_503", 1L),
        Map.entry("cluster.backend.canary.upstream_rq_completed", 1L),
        Map.entry("cluster.backend.canary.upstream_rq_5xx", 1L),
        Map.entry("cluster.backend.canary.upstream_rq_503", 1L)), values);

    store.mergeHistograms();
    assertTrue(store.histogram("cluster.backend.upstream_rq_time", null).used());
    assertTrue(store.histogram("cluster.backend.external.upstream_rq_time", null).used());
    assertEquals(1, store.histogram("cluster.backend.upstream_rq_time", null).cumulativeStatistics().sampleCount());
  }
}
