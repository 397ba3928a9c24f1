package dev.xdsdp.dataplane.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.metrics.v3.StatsConfig;
import io.envoyproxy.envoy.config.metrics.v3.TagSpecifier;
import java.util.List;
import org.junit.jupiter.api.Test;

class TagProducerTest {

  private static final TagProducer DEFAULTS = TagProducer.defaults();

  private static void assertTags(TagProducer producer, String name, String extracted, Tag... tags) {
    TagProducer.Extraction x = producer.produceTags(name);
    assertEquals(extracted, x.tagExtractedName(), name);
    assertEquals(List.of(tags), x.tags(), name);
  }

  private static Tag tag(String name, String value) {
    return new Tag(name, value);
  }

  @Test
  void clusterResponseCode() {
    assertTags(DEFAULTS, "cluster.backend.upstream_rq_200", "cluster.upstream_rq",
        tag("envoy.response_code", "200"), tag("envoy.cluster_name", "backend"));
    assertTags(DEFAULTS, "cluster.backend.upstream_rq_total", "cluster.upstream_rq_total",
        tag("envoy.cluster_name", "backend"));
    assertTags(DEFAULTS, "cluster.backend.external.upstream_rq_5xx", "cluster.external.upstream_rq_xx",
        tag("envoy.response_code_class", "5"), tag("envoy.cluster_name", "backend"));
    assertTags(DEFAULTS, "cluster.backend.circuit_breakers.default.cx_open",
        "cluster.circuit_breakers.default.cx_open", tag("envoy.cluster_name", "backend"));
  }

  @Test
  void httpConnectionManagerResponseClass() {
    assertTags(DEFAULTS, "http.ingress_http.downstream_rq_2xx", "http.downstream_rq_xx",
        tag("envoy.response_code_class", "2"), tag("envoy.http_conn_manager_prefix", "ingress_http"));
    assertTags(DEFAULTS, "http.ingress_http.downstream_rq_time", "http.downstream_rq_time",
        tag("envoy.http_conn_manager_prefix", "ingress_http"));
  }

  @Test
  void listenerAddressAndPerListenerHttpStats() {
    assertTags(DEFAULTS, "listener.0.0.0.0_8080.downstream_cx_total", "listener.downstream_cx_total",
        tag("envoy.listener_address", "0.0.0.0_8080"));
    assertTags(DEFAULTS, "listener.[__]_8080.downstream_cx_active", "listener.downstream_cx_active",
        tag("envoy.listener_address", "[__]_8080"));
    assertTags(DEFAULTS, "listener.0.0.0.0_10000.http.ingress_http.downstream_rq_2xx",
        "listener.http.downstream_rq_xx",
        tag("envoy.response_code_class", "2"),
        tag("envoy.http_conn_manager_prefix", "ingress_http"),
        tag("envoy.listener_address", "0.0.0.0_10000"));
    // Only the id and its dot go: Envoy exports envoy_listener_worker_downstream_cx_total.
    assertTags(DEFAULTS, "listener.0.0.0.0_10000.worker_3.downstream_cx_total",
        "listener.worker_downstream_cx_total",
        tag("envoy.worker_id", "3"), tag("envoy.listener_address", "0.0.0.0_10000"));
    // "admin" is not taken as an address, as in Envoy.
    assertTags(DEFAULTS, "listener.admin.downstream_cx_total", "listener.admin.downstream_cx_total");
    assertTags(DEFAULTS, "listener.my_prefix.downstream_cx_total", "listener.downstream_cx_total",
        tag("envoy.listener_address", "my_prefix"));
  }

  @Test
  void otherDefaultRules() {
    assertTags(DEFAULTS, "vhost.vh1.vcluster.vc1.upstream_rq_503", "vhost.vcluster.upstream_rq",
        tag("envoy.response_code", "503"), tag("envoy.virtual_cluster", "vc1"),
        tag("envoy.virtual_host", "vh1"));
    assertTags(DEFAULTS, "http.ingress.rds.route.with.dots.update_success", "http.rds.update_success",
        tag("envoy.rds_route_config", "route.with.dots"),
        tag("envoy.http_conn_manager_prefix", "ingress"));
    assertTags(DEFAULTS, "listener_manager.worker_0.dispatcher.loop_duration_us",
        "listener_manager.worker_dispatcher.loop_duration_us", tag("envoy.worker_id", "0"));
    assertTags(DEFAULTS, "tcp.ingress_tcp.downstream_cx_total", "tcp.downstream_cx_total",
        tag("envoy.tcp_prefix", "ingress_tcp"));
    assertTags(DEFAULTS, "cluster.backend.grpc.Greeter.SayHello.success", "cluster.grpc.success",
        tag("envoy.grpc_bridge_method", "SayHello"), tag("envoy.grpc_bridge_service", "Greeter"),
        tag("envoy.cluster_name", "backend"));
    assertTags(DEFAULTS, "ingress.http_local_rate_limit.rate_limited", "http_local_rate_limit.rate_limited",
        tag("envoy.local_http_ratelimit_prefix", "ingress"));
    assertTags(DEFAULTS, "server.live", "server.live");
  }

  @Test
  void defaultTagsCanBeTurnedOff() {
    TagProducer none = TagProducer.from(StatsConfig.newBuilder()
        .setUseAllDefaultTags(BoolValue.of(false)).build());
    assertTags(none, "cluster.backend.upstream_rq_200", "cluster.backend.upstream_rq_200");
  }

  @Test
  void customRegexAndFixedTags() {
    TagProducer p = TagProducer.from(StatsConfig.newBuilder()
        .addStatsTags(TagSpecifier.newBuilder().setTagName("stage").setFixedValue("prod"))
        .addStatsTags(TagSpecifier.newBuilder().setTagName("envoy.my_tag").setRegex("^mine\\.((.+?)\\.)"))
        .build());
    // Group 1 is removed, group 2 is the value.
    assertTags(p, "mine.abc.value", "mine.value", tag("stage", "prod"), tag("envoy.my_tag", "abc"));
    assertTags(p, "cluster.backend.upstream_rq_total", "cluster.upstream_rq_total",
        tag("stage", "prod"), tag("envoy.cluster_name", "backend"));
  }

  // Istio's bootstrap turns the defaults off and brings its own std::regex rules, lookaheads
  // included; Envoy accepts them, so must we.
  @Test
  void istioBootstrapTags() {
    StatsConfig istio = StatsConfig.newBuilder()
        .setUseAllDefaultTags(BoolValue.of(false))
        .addStatsTags(spec("cluster_name", "^cluster\\.((.+?(\\..+?\\.svc\\.cluster\\.local)?)\\.)"))
        .addStatsTags(spec("tcp_prefix", "^tcp\\.((.*?)\\.)\\w+?$"))
        .addStatsTags(spec("response_code", "(response_code=\\.=(.+?);\\.;)|_rq(_(\\.d{3}))$"))
        .addStatsTags(spec("response_code_class", "_rq(_(\\dxx))$"))
        .addStatsTags(spec("http_conn_manager_listener_prefix",
            "^listener(?=\\.).*?\\.http\\.(((?:[_.[:digit:]]*|[_\\[\\]aAbBcCdDeEfF[:digit:]]*))\\.)"))
        .addStatsTags(spec("http_conn_manager_prefix",
            "^http\\.(((?:[_.[:digit:]]*|[_\\[\\]aAbBcCdDeEfF[:digit:]]*))\\.)"))
        .addStatsTags(spec("listener_address",
            "^listener\\.(((?:[_.[:digit:]]*|[_\\[\\]aAbBcCdDeEfF[:digit:]]*))\\.)"))
        .addStatsTags(spec("reporter", "(reporter=\\.=(.*?);\\.;)"))
        .addStatsTags(spec("source_workload", "(source_workload=\\.=(.*?);\\.;)"))
        .build();
    TagProducer p = TagProducer.from(istio);
    assertTags(p, "cluster.outbound|80||reviews.default.svc.cluster.local.upstream_rq_total",
        "cluster.upstream_rq_total",
        tag("cluster_name", "outbound|80||reviews.default.svc.cluster.local"));
    // Rules without a literal first token run before those keyed by "cluster".
    assertTags(p, "cluster.xds-grpc.upstream_rq_2xx", "cluster.upstream_rq",
        tag("response_code_class", "2xx"), tag("cluster_name", "xds-grpc"));
    assertTags(p, "listener.0.0.0.0_15006.http.10.0.0.1_8080.downstream_rq_total",
        "listener.http.downstream_rq_total",
        tag("http_conn_manager_listener_prefix", "10.0.0.1_8080"),
        tag("listener_address", "0.0.0.0_15006"));
    // Istio's stats plugin puts its labels in the name: <label>=.=<value>;.; before the metric.
    assertTags(p, "istiocustom.reporter=.=destination;.;source_workload=.=productpage-v1;.;istio_requests_total",
        "istiocustom.istio_requests_total",
        tag("reporter", "destination"), tag("source_workload", "productpage-v1"));
  }

  @Test
  void aStatsTagNamingADefaultRuleWithoutRegexUsesIt() {
    TagProducer p = TagProducer.from(StatsConfig.newBuilder()
        .setUseAllDefaultTags(BoolValue.of(false))
        .addStatsTags(TagSpecifier.newBuilder().setTagName("envoy.cluster_name"))
        .build());
    assertTags(p, "cluster.backend.upstream_rq_200", "cluster.upstream_rq_200",
        tag("envoy.cluster_name", "backend"));
  }

  @Test
  void invalidTagSpecifiersAreRejectedWithEnvoysMessages() {
    IllegalArgumentException noRegex = assertThrows(IllegalArgumentException.class,
        () -> TagProducer.from(StatsConfig.newBuilder()
            .addStatsTags(TagSpecifier.newBuilder().setTagName("unknown_tag")).build()));
    assertEquals("No regex specified for tag specifier and no default regex for name: 'unknown_tag'",
        noRegex.getMessage());
    IllegalArgumentException emptyName = assertThrows(IllegalArgumentException.class,
        () -> TagProducer.from(StatsConfig.newBuilder()
            .addStatsTags(spec("", "(a)")).build()));
    assertEquals("tag_name cannot be empty", emptyName.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> TagProducer.from(StatsConfig.newBuilder().addStatsTags(spec("bad", "((")).build()));
  }

  @Test
  void regexPrefixMatchesEnvoy() {
    assertEquals("cluster", TagExtractor.regexPrefix("^cluster\\.((.*?)\\.)"));
    assertEquals("listener", TagExtractor.regexPrefix("^listener(?=\\.).*?\\.http\\."));
    assertEquals("", TagExtractor.regexPrefix("^(?:listener|cluster)\\..*"));
    assertEquals("", TagExtractor.regexPrefix("_rq(_(\\d{3}))$"));
    assertEquals("abc", TagExtractor.regexPrefix("^abc$"));
  }

  private static TagSpecifier spec(String name, String regex) {
    return TagSpecifier.newBuilder().setTagName(name).setRegex(regex).build();
  }
}
