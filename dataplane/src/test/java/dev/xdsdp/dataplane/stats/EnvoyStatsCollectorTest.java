package dev.xdsdp.dataplane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.xdsdp.api.stats.Histogram;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class EnvoyStatsCollectorTest {

  @Test
  void registryOutputUsesSimpleclientsCounterConvention() throws Exception {
    StatsStore store = new StatsStore();
    store.counter("cluster.backend.upstream_cx_connect_fail").add(2);
    store.counter("cluster.backend.upstream_rq_total").add(3);
    store.gauge("server.live").set(1);
    CollectorRegistry registry = new CollectorRegistry();
    new EnvoyStatsCollector(store).register(registry);

    StringWriter out = new StringWriter();
    TextFormat.write004(out, registry.metricFamilySamples());
    // TYPE names and sample names agree; a counter without _total gains it here (but not in
    // /stats/prometheus, which keeps Envoy's names).
    assertEquals(""
        + "# HELP envoy_cluster_upstream_cx_connect_fail_total Envoy counter cluster.upstream_cx_connect_fail\n"
        + "# TYPE envoy_cluster_upstream_cx_connect_fail_total counter\n"
        + "envoy_cluster_upstream_cx_connect_fail_total{envoy_cluster_name=\"backend\",} 2.0\n"
        + "# HELP envoy_cluster_upstream_rq_total Envoy counter cluster.upstream_rq_total\n"
        + "# TYPE envoy_cluster_upstream_rq_total counter\n"
        + "envoy_cluster_upstream_rq_total{envoy_cluster_name=\"backend\",} 3.0\n"
        + "# HELP envoy_server_live Envoy gauge server.live\n"
        + "# TYPE envoy_server_live gauge\n"
        + "envoy_server_live 1.0\n", out.toString());
  }

  @Test
  void valuesPastLongMaxAreUnsigned() {
    StatsStore store = new StatsStore();
    store.gauge("server.big").set(-1); // uint64 max
    var samples = new EnvoyStatsCollector(store).collect().getFirst().samples;
    assertEquals(18446744073709551615.0, samples.getFirst().value);
    assertEquals(9223372036854775808.0, EnvoyStatsCollector.unsigned(Long.MIN_VALUE));
    assertEquals(3.0, EnvoyStatsCollector.unsigned(3));
  }

  @Test
  void histogramsCarryEnvoysBuckets() {
    StatsStore store = new StatsStore();
    store.histogram("http.ingress.downstream_rq_time", Histogram.Unit.MILLISECONDS).record(7);
    store.mergeHistograms();
    CollectorRegistry registry = new CollectorRegistry();
    new EnvoyStatsCollector(store).register(registry);
    Double five = registry.getSampleValue("envoy_http_downstream_rq_time_bucket",
        new String[] {"envoy_http_conn_manager_prefix", "le"}, new String[] {"ingress", "5.0"});
    Double ten = registry.getSampleValue("envoy_http_downstream_rq_time_bucket",
        new String[] {"envoy_http_conn_manager_prefix", "le"}, new String[] {"ingress", "10.0"});
    Double sum = registry.getSampleValue("envoy_http_downstream_rq_time_sum",
        new String[] {"envoy_http_conn_manager_prefix"}, new String[] {"ingress"});
    assertEquals(0.0, five);
    assertEquals(1.0, ten);
    assertEquals(7.05, sum, 1e-12);
  }
}
