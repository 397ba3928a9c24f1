package dev.xdsdp.dataplane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.xdsdp.api.stats.Histogram;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exact admin output, in Envoy's formats, for a small store. */
class StatsAdminTest {

  private static final String SUMMARY_1MS =
      "P0(1,1) P25(1.025,1.025) P50(1.05,1.05) P75(1.075,1.075) P90(1.09,1.09) P95(1.095,1.095) "
      + "P99(1.099,1.099) P99.5(1.0995,1.0995) P99.9(1.0999,1.0999) P100(1.1,1.1)";

  private StatsStore store;
  private StatsAdmin admin;

  @BeforeEach
  void fill() {
    store = new StatsStore();
    admin = new StatsAdmin(store);
    store.counter("cluster.backend.upstream_rq_total").add(3);
    store.counter("cluster.backend.upstream_rq_200").add(2);
    store.counter("cluster.backend.upstream_rq_503").inc();
    store.counter("cluster.other.upstream_rq_200");
    store.gauge("cluster.backend.upstream_cx_active").set(1);
    store.gauge("server.live").set(1);
    store.counter("http.ingress_http.downstream_rq_2xx").add(5);
    store.counter("listener.0.0.0.0_8080.downstream_cx_total").add(7);
    store.histogram("cluster.backend.upstream_rq_time", Histogram.Unit.MILLISECONDS).record(1);
    store.histogram("http.ingress_http.downstream_rq_time", Histogram.Unit.MILLISECONDS);
    store.mergeHistograms();
  }

  @Test
  void textListsCountersAndGaugesByNameThenHistograms() {
    StatsResponse r = admin.stats("");
    assertEquals(200, r.status());
    assertEquals("text/plain; charset=UTF-8", r.contentType());
    assertEquals(""
        + "cluster.backend.upstream_cx_active: 1\n"
        + "cluster.backend.upstream_rq_200: 2\n"
        + "cluster.backend.upstream_rq_503: 1\n"
        + "cluster.backend.upstream_rq_total: 3\n"
        + "cluster.other.upstream_rq_200: 0\n"
        + "http.ingress_http.downstream_rq_2xx: 5\n"
        + "listener.0.0.0.0_8080.downstream_cx_total: 7\n"
        + "server.live: 1\n"
        + "cluster.backend.upstream_rq_time: " + SUMMARY_1MS + "\n"
        + "http.ingress_http.downstream_rq_time: No recorded values\n", r.body());
  }

  @Test
  void usedOnlyFilterAndType() {
    assertEquals(""
        + "cluster.backend.upstream_cx_active: 1\n"
        + "cluster.backend.upstream_rq_200: 2\n"
        + "cluster.backend.upstream_rq_503: 1\n"
        + "cluster.backend.upstream_rq_total: 3\n"
        + "http.ingress_http.downstream_rq_2xx: 5\n"
        + "listener.0.0.0.0_8080.downstream_cx_total: 7\n"
        + "server.live: 1\n"
        + "cluster.backend.upstream_rq_time: " + SUMMARY_1MS + "\n", admin.stats("usedonly").body());
    // The filter is an RE2 searched anywhere in the full name; %XX escapes are decoded.
    assertEquals("cluster.backend.upstream_rq_200: 2\ncluster.other.upstream_rq_200: 0\n",
        admin.stats("filter=upstream_rq_2%5Cd%2B").body());
    assertEquals("cluster.backend.upstream_rq_200: 2\n",
        admin.stats("filter=upstream_rq_2&usedonly=").body());
    assertEquals("cluster.backend.upstream_cx_active: 1\nserver.live: 1\n",
        admin.stats("type=Gauges").body());
    assertEquals("http.ingress_http.downstream_rq_2xx: 5\n",
        admin.stats("type=Counters&filter=^http").body());
    assertEquals("cluster.backend.upstream_rq_time: " + SUMMARY_1MS + "\n",
        admin.stats("type=Histograms&usedonly").body());
    assertEquals("", admin.stats("type=TextReadouts").body());
  }

  @Test
  void histogramBucketModesInText() {
    assertEquals("cluster.backend.upstream_rq_time: B0.5(0,0) B1(0,0) B5(1,1) B10(1,1) B25(1,1) "
        + "B50(1,1) B100(1,1) B250(1,1) B500(1,1) B1000(1,1) B2500(1,1) B5000(1,1) B10000(1,1) "
        + "B30000(1,1) B60000(1,1) B300000(1,1) B600000(1,1) B1.8e+06(1,1) B3.6e+06(1,1)\n",
        admin.stats("type=Histograms&usedonly&histogram_buckets=cumulative").body());
    assertEquals("cluster.backend.upstream_rq_time: B0.5(0,0) B1(0,0) B5(1,1) B10(0,0) B25(0,0) "
        + "B50(0,0) B100(0,0) B250(0,0) B500(0,0) B1000(0,0) B2500(0,0) B5000(0,0) B10000(0,0) "
        + "B30000(0,0) B60000(0,0) B300000(0,0) B600000(0,0) B1.8e+06(0,0) B3.6e+06(0,0)\n",
        admin.stats("type=Histograms&usedonly&histogram_buckets=disjoint").body());
    assertEquals("cluster.backend.upstream_rq_time:\n  totals=1,0.1:1\n  intervals=1,0.1:1\n  summary="
        + SUMMARY_1MS + "\n", admin.stats("type=Histograms&usedonly&histogram_buckets=detailed").body());
  }

  @Test
  void json() {
    StatsResponse r = admin.stats("format=json&filter=backend");
    assertEquals("application/json", r.contentType());
    assertEquals("{\"stats\":["
        + "{\"name\":\"cluster.backend.upstream_cx_active\",\"value\":1},"
        + "{\"name\":\"cluster.backend.upstream_rq_200\",\"value\":2},"
        + "{\"name\":\"cluster.backend.upstream_rq_503\",\"value\":1},"
        + "{\"name\":\"cluster.backend.upstream_rq_total\",\"value\":3},"
        + "{\"histograms\":{\"supported_quantiles\":[0,25,50,75,90,95,99,99.5,99.9,100],"
        + "\"computed_quantiles\":[{\"name\":\"cluster.backend.upstream_rq_time\",\"values\":["
        + "{\"cumulative\":1,\"interval\":1},{\"cumulative\":1.025,\"interval\":1.025},{\"cumulative\":1.05,\"interval\":1.05},{\"cumulative\":1.075,\"interval\":1.075},{\"cumulative\":1.09,\"interval\":1.09},{\"cumulative\":1.095,\"interval\":1.095},{\"cumulative\":1.099,\"interval\":1.099},{\"cumulative\":1.0995,\"interval\":1.0995},{\"cumulative\":1.0999,\"interval\":1.0999},{\"cumulative\":1.1,\"interval\":1.1}"
        + "]}]}}]}", r.body());
    assertEquals("{\"stats\":[{\"histograms\":{\"supported_quantiles\":[0,25,50,75,90,95,99,99.5,99.9,100],"
        + "\"computed_quantiles\":[{\"name\":\"http.ingress_http.downstream_rq_time\",\"values\":["
        + "{\"cumulative\":null,\"interval\":null},{\"cumulative\":null,\"interval\":null},{\"cumulative\":null,\"interval\":null},{\"cumulative\":null,\"interval\":null},{\"cumulative\":null,\"interval\":null},{\"cumulative\":null,\"interval\":null},{\"cumulative\":null,\"interval\":null},{\"cumulative\":null,\"interval\":null},{\"cumulative\":null,\"interval\":null},{\"cumulative\":null,\"interval\":null}"
        + "]}]}}]}", admin.stats("format=json&filter=ingress_http.downstream_rq_time").body());
    assertEquals("{\"stats\":[{\"name\":\"server.live\",\"value\":1}]}",
        admin.stats("format=json&filter=server").body());
    assertEquals("{\"stats\":[{\"histograms\":[{\"name\":\"cluster.backend.upstream_rq_time\","
        + "\"buckets\":[{\"upper_bound\":0.5,\"interval\":0,\"cumulative\":0},"
        + "{\"upper_bound\":1,\"interval\":0,\"cumulative\":0},"
        + "{\"upper_bound\":5,\"interval\":1,\"cumulative\":1}]}]}]}",
        jsonWithThreeBuckets());
  }

  private String jsonWithThreeBuckets() {
    StatsStore small = StatsStore.create(io.envoyproxy.envoy.config.metrics.v3.StatsConfig.newBuilder()
        .addHistogramBucketSettings(io.envoyproxy.envoy.config.metrics.v3.HistogramBucketSettings.newBuilder()
            .setMatch(io.envoyproxy.envoy.type.matcher.v3.StringMatcher.newBuilder().setPrefix("cluster"))
            .addBuckets(0.5).addBuckets(1).addBuckets(5))
        .build());
    small.histogram("cluster.backend.upstream_rq_time", Histogram.Unit.MILLISECONDS).record(1);
    small.mergeHistograms();
    return new StatsAdmin(small).stats("format=json&histogram_buckets=cumulative").body();
  }

  @Test
  void prometheus() {
    StatsResponse r = admin.prometheus("");
    assertEquals(200, r.status());
    assertEquals(""
        + "# TYPE envoy_cluster_upstream_rq counter\n"
        + "envoy_cluster_upstream_rq{envoy_response_code=\"200\",envoy_cluster_name=\"backend\"} 2\n"
        + "envoy_cluster_upstream_rq{envoy_response_code=\"503\",envoy_cluster_name=\"backend\"} 1\n"
        + "envoy_cluster_upstream_rq{envoy_response_code=\"200\",envoy_cluster_name=\"other\"} 0\n"
        + "# TYPE envoy_cluster_upstream_rq_total counter\n"
        + "envoy_cluster_upstream_rq_total{envoy_cluster_name=\"backend\"} 3\n"
        + "# TYPE envoy_http_downstream_rq_xx counter\n"
        + "envoy_http_downstream_rq_xx{envoy_response_code_class=\"2\",envoy_http_conn_manager_prefix=\"ingress_http\"} 5\n"
        + "# TYPE envoy_listener_downstream_cx_total counter\n"
        + "envoy_listener_downstream_cx_total{envoy_listener_address=\"0.0.0.0_8080\"} 7\n"
        + "# TYPE envoy_cluster_upstream_cx_active gauge\n"
        + "envoy_cluster_upstream_cx_active{envoy_cluster_name=\"backend\"} 1\n"
        + "# TYPE envoy_server_live gauge\n"
        + "envoy_server_live{} 1\n"
        + "# TYPE envoy_cluster_upstream_rq_time histogram\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"0.5\"} 0\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"1\"} 0\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"5\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"10\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"25\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"50\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"100\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"250\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"500\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"1000\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"2500\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"5000\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"10000\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"30000\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"60000\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"300000\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"600000\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"1800000\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"3600000\"} 1\n"
        + "envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=\"backend\",le=\"+Inf\"} 1\n"
        + "envoy_cluster_upstream_rq_time_sum{envoy_cluster_name=\"backend\"} 1.0500000000000000444089209850063\n"
        + "envoy_cluster_upstream_rq_time_count{envoy_cluster_name=\"backend\"} 1\n"
        + "# TYPE envoy_http_downstream_rq_time histogram\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"0.5\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"1\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"5\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"10\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"25\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"50\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"100\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"250\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"500\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"1000\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"2500\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"5000\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"10000\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"30000\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"60000\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"300000\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"600000\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"1800000\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"3600000\"} 0\n"
        + "envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"+Inf\"} 0\n"
        + "envoy_http_downstream_rq_time_sum{envoy_http_conn_manager_prefix=\"ingress_http\"} 0\n"
        + "envoy_http_downstream_rq_time_count{envoy_http_conn_manager_prefix=\"ingress_http\"} 0\n"
        , r.body());
    assertEquals(r.body(), admin.stats("format=prometheus").body());
  }

  /** Envoy's stats are uint64: a version gauge holding a 64-bit hash above 2^63 prints unsigned in every format. */
  @Test
  void valuesAboveTwoToThe63PrintUnsigned() {
    store.gauge("cluster_manager.cds.version").set(-5209518570039057196L);
    assertEquals("cluster_manager.cds.version: 13237225503670494420\n", admin.stats("filter=cds.version").body());
    assertEquals("{\"stats\":[{\"name\":\"cluster_manager.cds.version\",\"value\":13237225503670494420}]}",
        admin.stats("format=json&filter=cds.version").body());
    assertEquals("# TYPE envoy_cluster_manager_cds_version gauge\nenvoy_cluster_manager_cds_version{} 13237225503670494420\n",
        admin.prometheus("filter=cds.version").body());
  }

  @Test
  void prometheusUsedOnlyFilterAndSummaries() {
    assertEquals(""
        + "# TYPE envoy_cluster_upstream_rq counter\n"
        + "envoy_cluster_upstream_rq{envoy_response_code=\"200\",envoy_cluster_name=\"backend\"} 2\n"
        + "envoy_cluster_upstream_rq{envoy_response_code=\"503\",envoy_cluster_name=\"backend\"} 1\n",
        admin.prometheus("usedonly&filter=upstream_rq_%5Cd").body());
    assertEquals(""
        + "# TYPE envoy_cluster_upstream_rq_time summary\n"
        + "envoy_cluster_upstream_rq_time{envoy_cluster_name=\"backend\",quantile=\"0\"} 1\n"
        + "envoy_cluster_upstream_rq_time{envoy_cluster_name=\"backend\",quantile=\"0.25\"} 1.0249999999999999111821580299875\n"
        + "envoy_cluster_upstream_rq_time{envoy_cluster_name=\"backend\",quantile=\"0.5\"} 1.0500000000000000444089209850063\n"
        + "envoy_cluster_upstream_rq_time{envoy_cluster_name=\"backend\",quantile=\"0.75\"} 1.0749999999999999555910790149937\n"
        + "envoy_cluster_upstream_rq_time{envoy_cluster_name=\"backend\",quantile=\"0.9\"} 1.0900000000000000799360577730113\n"
        + "envoy_cluster_upstream_rq_time{envoy_cluster_name=\"backend\",quantile=\"0.95\"} 1.0949999999999999733546474089962\n"
        + "envoy_cluster_upstream_rq_time{envoy_cluster_name=\"backend\",quantile=\"0.99\"} 1.0989999999999999769073610877967\n"
        + "envoy_cluster_upstream_rq_time{envoy_cluster_name=\"backend\",quantile=\"0.995\"} 1.099499999999999921840299066389\n"
        + "envoy_cluster_upstream_rq_time{envoy_cluster_name=\"backend\",quantile=\"0.999\"} 1.0999000000000000998312543742941\n"
        + "envoy_cluster_upstream_rq_time{envoy_cluster_name=\"backend\",quantile=\"1\"} 1.1000000000000000888178419700125\n"
        + "envoy_cluster_upstream_rq_time_sum{envoy_cluster_name=\"backend\"} 1.0500000000000000444089209850063\n"
        + "envoy_cluster_upstream_rq_time_count{envoy_cluster_name=\"backend\"} 1\n"
        , admin.prometheus("histogram_buckets=summary&filter=cluster.backend.upstream_rq_time").body());
  }

  @Test
  void customNamespacesDropTheEnvoyPrefix() {
    StatsStore s = new StatsStore();
    s.registerCustomNamespace("wasmcustom");
    s.counter("wasmcustom.my_requests_total").add(4);
    s.counter("wasmcustom.1st").inc(); // not a valid metric name once the namespace is gone
    s.gauge("wasmcustom.queue.depth").set(2);
    assertEquals(""
        + "# TYPE my_requests_total counter\n"
        + "my_requests_total{} 4\n"
        + "# TYPE queue_depth gauge\n"
        + "queue_depth{} 2\n", new StatsAdmin(s).prometheus("").body());
  }

  @Test
  void labelValuesAreEscaped() {
    StatsStore s = StatsStore.create(io.envoyproxy.envoy.config.metrics.v3.StatsConfig.newBuilder()
        .addStatsTags(io.envoyproxy.envoy.config.metrics.v3.TagSpecifier.newBuilder()
            .setTagName("my.tag").setFixedValue("a\"b\\c\nd"))
        .build());
    s.counter("x.y-z").inc();
    assertEquals("# TYPE envoy_x_y_z counter\nenvoy_x_y_z{my_tag=\"a\\\"b\\\\c\\nd\"} 1\n",
        new StatsAdmin(s).prometheus("").body());
  }

  @Test
  void badParametersGetEnvoysAnswers() {
    assertEquals(new StatsResponse(400, "text/plain; charset=UTF-8", "Invalid re2 regex"),
        admin.stats("filter=(unclosed"));
    assertEquals(new StatsResponse(400, "text/plain; charset=UTF-8", "invalid &type= param"),
        admin.stats("type=counters"));
    assertEquals(new StatsResponse(400, "text/plain; charset=UTF-8",
        "usage: /stats?format=(html|active-html|json|prometheus|text)\n\n"), admin.stats("format=xml"));
    assertEquals(400, admin.stats("histogram_buckets=weird").status());
    assertEquals(new StatsResponse(400, "text/plain; charset=UTF-8",
        "unsupported prometheus histogram bucket mode"), admin.prometheus("histogram_buckets=detailed"));
    assertEquals(200, admin.stats("format=text&type=All").status());
  }
}
