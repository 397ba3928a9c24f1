package dev.xdsdp.dataplane.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.Histogram;
import dev.xdsdp.api.stats.StatsScope;
import io.envoyproxy.envoy.config.metrics.v3.HistogramBucketSettings;
import io.envoyproxy.envoy.config.metrics.v3.StatsConfig;
import io.envoyproxy.envoy.type.matcher.v3.ListStringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StatsStoreTest {

  @Test
  void theSameNameIsTheSameStatThroughAnyScope() {
    StatsStore store = new StatsStore();
    StatsScope cluster = store.scope("cluster.backend");
    assertEquals("cluster.backend.", cluster.prefix());
    assertEquals("cluster.backend.", store.scope("cluster.backend.").prefix());
    assertEquals("cluster.backend.circuit_breakers.default.",
        cluster.scope("circuit_breakers").scope("default").prefix());
    assertEquals("", store.prefix());
    assertEquals("cluster.backend.", cluster.scope("").prefix());

    Counter viaScope = cluster.counter("upstream_rq_total");
    assertSame(viaScope, store.counter("cluster.backend.upstream_rq_total"));
    assertEquals("cluster.backend.upstream_rq_total", viaScope.name());
    Gauge g = cluster.gauge("upstream_cx_active");
    assertSame(g, store.gauge("cluster.backend.upstream_cx_active"));
    Histogram h = cluster.histogram("upstream_rq_time", Histogram.Unit.MILLISECONDS);
    assertSame(h, store.histogram("cluster.backend.upstream_rq_time", Histogram.Unit.MILLISECONDS));
    assertEquals(Histogram.Unit.MILLISECONDS, h.unit());
  }

  @Test
  void countersOnlyGoUpAndRememberBeingUsed() {
    StatsStore store = new StatsStore();
    CounterImpl c = store.counter("a.b");
    assertFalse(c.used());
    c.add(0);
    assertTrue(c.used(), "any add marks the counter used, as Envoy");
    c.inc();
    c.add(4);
    assertEquals(5, c.value());
    assertThrows(IllegalArgumentException.class, () -> c.add(-1));

    GaugeImpl g = store.gauge("a.g");
    assertFalse(g.used());
    g.inc();
    g.add(5);
    g.sub(2);
    g.dec();
    assertEquals(3, g.value());
    g.set(42);
    assertEquals(42, g.value());
    assertTrue(g.used());
  }

  @Test
  void manyThreadsIncrementingLoseNothing() throws Exception {
    StatsStore store = new StatsStore();
    int threads = 8;
    int perThread = 100_000;
    CountDownLatch start = new CountDownLatch(1);
    Set<Counter> seen = ConcurrentHashMap.newKeySet();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        // Each thread looks the stats up itself, racing on creation.
        Counter c = store.scope("cluster.backend").counter("upstream_rq_total");
        Gauge active = store.gauge("cluster.backend.upstream_rq_active");
        seen.add(c);
        for (int i = 0; i < perThread; i++) {
          c.inc();
          active.inc();
          active.dec();
        }
        store.gauge("cluster.backend.upstream_cx_total_gauge").add(perThread);
      }));
    }
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    assertEquals(1, seen.size(), "every thread got the same counter");
    assertEquals((long) threads * perThread, store.counter("cluster.backend.upstream_rq_total").value());
    assertEquals(0, store.gauge("cluster.backend.upstream_rq_active").value());
    assertEquals((long) threads * perThread, store.gauge("cluster.backend.upstream_cx_total_gauge").value());
  }

  @Test
  void statSetCreatesEveryStatOfTheComponentAtOnce() {
    StatsStore store = new StatsStore();
    StatSet<ClusterStatName> stats = StatSet.create(store.scope("cluster.backend"), ClusterStatName.class);
    stats.counter(ClusterStatName.UPSTREAM_RQ_TOTAL).inc();
    stats.gauge(ClusterStatName.UPSTREAM_CX_ACTIVE).inc();
    stats.histogram(ClusterStatName.UPSTREAM_CX_CONNECT_MS).record(3);

    Set<String> counters = store.counters().stream().map(CounterImpl::name).collect(Collectors.toSet());
    Set<String> gauges = store.gauges().stream().map(GaugeImpl::name).collect(Collectors.toSet());
    assertTrue(counters.contains("cluster.backend.upstream_rq_pending_overflow"));
    assertTrue(counters.contains("cluster.backend.upstream_cx_destroy_local_with_active_rq"));
    assertTrue(counters.contains("cluster.backend.update_success"));
    assertTrue(gauges.contains("cluster.backend.membership_healthy"));
    assertTrue(gauges.contains("cluster.backend.max_host_weight"));
    assertEquals(1, store.counter("cluster.backend.upstream_rq_total").value());
    assertEquals(Histogram.Unit.MILLISECONDS,
        store.histogram("cluster.backend.upstream_cx_length_ms", Histogram.Unit.UNSPECIFIED).unit());
    long counterCount = java.util.Arrays.stream(ClusterStatName.values())
        .filter(n -> n.type() == StatType.COUNTER).count();
    assertEquals(counterCount, counters.size());
    IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
        () -> stats.counter(ClusterStatName.UPSTREAM_CX_ACTIVE));
    assertEquals("upstream_cx_active is a GAUGE, not a COUNTER", wrongType.getMessage());
  }

  @Test
  void statNamesAreEnvoys() {
    assertEquals("upstream_rq_pending_overflow", ClusterStatName.UPSTREAM_RQ_PENDING_OVERFLOW.statName());
    assertEquals("upstream_rq_0rtt", ClusterStatName.UPSTREAM_RQ_0RTT.statName());
    assertEquals("downstream_cx_http1_active", HttpConnManagerStatName.DOWNSTREAM_CX_HTTP1_ACTIVE.statName());
    assertEquals(StatType.HISTOGRAM, HttpConnManagerStatName.DOWNSTREAM_RQ_TIME.type());
    assertEquals(Histogram.Unit.MILLISECONDS, HttpConnManagerStatName.DOWNSTREAM_RQ_TIME.unit());
    assertEquals(StatType.GAUGE, ServerStatName.LIVE.type());
    assertEquals("no_filter_chain_match", ListenerStatName.NO_FILTER_CHAIN_MATCH.statName());
    assertEquals("rq_direct_response", RouterStatName.RQ_DIRECT_RESPONSE.statName());
    assertEquals("total_listeners_warming", ListenerManagerStatName.TOTAL_LISTENERS_WARMING.statName());
    assertEquals(StatType.GAUGE, ControlPlaneStatName.CONNECTED_STATE.type());
    assertEquals("listener.0.0.0.0_8080", StatsUtil.listenerScopeName("0.0.0.0", 8080));
    assertEquals("listener.[__]_15001", StatsUtil.listenerScopeName("::", 15001));
    assertEquals("cluster.outbound|80||reviews.default.svc.cluster.local",
        StatsUtil.clusterScopeName("outbound|80||reviews.default.svc.cluster.local"));
    assertEquals("foo_bar", StatsUtil.sanitizeStatsName(".foo:bar."));
  }

  @Test
  void inclusionListDecidesWhatIsExported() {
    StatsStore store = StatsStore.create(StatsConfig.newBuilder()
        .setStatsMatcher(io.envoyproxy.envoy.config.metrics.v3.StatsMatcher.newBuilder()
            .setInclusionList(ListStringMatcher.newBuilder()
                .addPatterns(StringMatcher.newBuilder().setPrefix("cluster."))
                .addPatterns(StringMatcher.newBuilder().setSuffix("_rq_time"))))
        .build());
    CounterImpl kept = store.counter("cluster.backend.upstream_rq_total");
    CounterImpl rejected = store.counter("server.debug_assertion_failures");
    rejected.inc();
    rejected.inc();
    assertEquals(2, rejected.value(), "a rejected stat still works for its owner");
    assertSame(rejected, store.counter("server.debug_assertion_failures"));
    HistogramImpl time = store.histogram("http.ingress.downstream_rq_time", Histogram.Unit.MILLISECONDS);
    assertEquals(List.of(kept), store.counters());
    assertEquals(List.of(time), store.histograms());
    assertTrue(store.gauges().isEmpty());
  }

  @Test
  void exclusionListAndRejectAll() {
    StatsStore excluding = StatsStore.create(StatsConfig.newBuilder()
        .setStatsMatcher(io.envoyproxy.envoy.config.metrics.v3.StatsMatcher.newBuilder()
            .setExclusionList(ListStringMatcher.newBuilder()
                // safe_regex must match the whole name.
                .addPatterns(StringMatcher.newBuilder().setSafeRegex(
                    RegexMatcher.newBuilder().setRegex("cluster\\.[^.]+\\.upstream_rq_\\d+")))
                .addPatterns(StringMatcher.newBuilder().setContains("WATCHDOG").setIgnoreCase(true))
                .addPatterns(StringMatcher.newBuilder().setExact("server.live"))))
        .build());
    excluding.counter("cluster.backend.upstream_rq_200");
    excluding.counter("cluster.backend.upstream_rq_200_x");
    excluding.counter("server.main_thread.watchdog_miss");
    excluding.gauge("server.live");
    excluding.gauge("server.uptime");
    assertEquals(List.of("cluster.backend.upstream_rq_200_x"),
        excluding.counters().stream().map(CounterImpl::name).toList());
    assertEquals(List.of("server.uptime"), excluding.gauges().stream().map(GaugeImpl::name).toList());

    StatsStore none = StatsStore.create(StatsConfig.newBuilder()
        .setStatsMatcher(io.envoyproxy.envoy.config.metrics.v3.StatsMatcher.newBuilder().setRejectAll(true))
        .build());
    none.counter("a");
    none.gauge("b");
    none.histogram("c", Histogram.Unit.UNSPECIFIED);
    assertTrue(none.statsMatcher().rejectsAll());
    assertTrue(none.counters().isEmpty() && none.gauges().isEmpty() && none.histograms().isEmpty());
    assertEquals("", new StatsAdmin(none).stats("").body());
  }

  @Test
  void invalidStatsConfigIsRejected() {
    IllegalArgumentException ignoreCaseRegex = assertThrows(IllegalArgumentException.class,
        () -> StatsStore.create(StatsConfig.newBuilder()
            .setStatsMatcher(io.envoyproxy.envoy.config.metrics.v3.StatsMatcher.newBuilder()
                .setInclusionList(ListStringMatcher.newBuilder().addPatterns(StringMatcher.newBuilder()
                    .setSafeRegex(RegexMatcher.newBuilder().setRegex(".*")).setIgnoreCase(true))))
            .build()));
    assertEquals("ignore_case has no effect for safe_regex.", ignoreCaseRegex.getMessage());
    assertThrows(IllegalArgumentException.class, () -> StatsStore.create(StatsConfig.newBuilder()
        .addHistogramBucketSettings(HistogramBucketSettings.newBuilder()
            .setMatch(StringMatcher.newBuilder().setPrefix("x")).addBuckets(0)).build()));
    assertThrows(IllegalArgumentException.class, () -> new StatsStore().registerCustomNamespace("a.b"));
  }

  @Test
  void histogramBucketSettingsChooseTheBuckets() {
    StatsStore store = StatsStore.create(StatsConfig.newBuilder()
        .addHistogramBucketSettings(HistogramBucketSettings.newBuilder()
            .setMatch(StringMatcher.newBuilder().setPrefix("cluster."))
            .addBuckets(100).addBuckets(1).addBuckets(10))
        .build());
    HistogramImpl custom = store.histogram("cluster.backend.upstream_rq_time", Histogram.Unit.MILLISECONDS);
    HistogramImpl standard = store.histogram("http.ingress.downstream_rq_time", Histogram.Unit.MILLISECONDS);
    assertArrayEquals(new double[] {1, 10, 100}, custom.cumulativeStatistics().supportedBuckets());
    assertArrayEquals(HistogramStatistics.DEFAULT_BUCKETS, standard.cumulativeStatistics().supportedBuckets());
  }
}
