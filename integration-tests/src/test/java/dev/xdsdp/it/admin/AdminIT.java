package dev.xdsdp.it.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import dev.xdsdp.it.support.Http;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin endpoints after real traffic: Envoy's stat names in both renderings, and the dumps. */
class AdminIT {

  static final String BOOTSTRAP = """
      admin:
        address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      static_resources:
        listeners:
        - name: web
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: ingress_http
                route_config:
                  name: local
                  virtual_hosts: [{ name: all, domains: ["*"], routes: [{ match: { prefix: / }, route: { cluster: backend } }] }]
                http_filters: [{ name: envoy.filters.http.router, typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router } }]
        clusters:
        - name: backend
          connect_timeout: 1s
          load_assignment:
            cluster_name: backend
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UP} } } } }] }]
      """;

  static EchoUpstream up;
  static Dataplane dp;
  static int admin;

  @BeforeAll
  static void start() throws Exception {
    up = EchoUpstream.start("up");
    dp = Dataplane.start(BOOTSTRAP, Map.of("UP", up.port()));
    admin = dp.server().admin().port();
    for (int i = 0; i < 3; i++) {
      assertEquals(200, Http.get(dp.uri("web", "/x")).statusCode());
    }
    assertEquals(503, Http.get(dp.uri("web", "/x?status=503")).statusCode());
  }

  @AfterAll
  static void stop() {
    dp.close();
    up.close();
  }

  static HttpResponse<String> admin(String path) throws Exception {
    return Http.get(URI.create("http://127.0.0.1:" + admin + path));
  }

  @Test
  void readyAndServerInfo() throws Exception {
    HttpResponse<String> ready = admin("/ready");
    assertEquals(200, ready.statusCode());
    assertEquals("LIVE\n", ready.body());
    JsonObject info = new JsonObject(admin("/server_info").body());
    assertEquals("LIVE", info.getString("state"));
  }

  @Test
  void serviceFlagsOverrideTheBootstrapNode() throws Exception {
    String withNode = "node: { id: file-id, cluster: file-cluster, locality: { region: r1, zone: file-zone } }\n"
        + BOOTSTRAP;
    try (Dataplane flagged = Dataplane.start(withNode, Map.of("UP", up.port()),
        "--service-node", "flag-id", "--service-cluster", "flag-cluster", "--service-zone", "flag-zone")) {
      JsonObject node = new JsonObject(Http.get(URI.create(
          "http://127.0.0.1:" + flagged.server().admin().port() + "/server_info")).body()).getJsonObject("node");
      assertEquals("flag-id", node.getString("id"));
      assertEquals("flag-cluster", node.getString("cluster"));
      assertEquals("flag-zone", node.getJsonObject("locality").getString("zone"));
      assertEquals("r1", node.getJsonObject("locality").getString("region"), "the rest of the file's node stays");
    }
    JsonObject plain = new JsonObject(admin("/server_info").body());
    assertEquals("xdsdp", plain.getJsonObject("node").getString("user_agent_name"));
  }

  @Test
  void textStatsUseEnvoyNames() throws Exception {
    String filter = java.net.URLEncoder.encode(
        "^(cluster\\.backend\\.upstream_rq_total|http\\.ingress_http\\.downstream_rq_[25]xx|server\\.state)$",
        java.nio.charset.StandardCharsets.UTF_8);
    String body = admin("/stats?filter=" + filter).body();
    assertTrue(body.contains("cluster.backend.upstream_rq_total: 4\n"), body);
    assertTrue(body.contains("http.ingress_http.downstream_rq_2xx: 3\n"), body);
    assertTrue(body.contains("http.ingress_http.downstream_rq_5xx: 1\n"), body);
    assertTrue(body.contains("server.state: 0\n"), body);
  }

  @Test
  void prometheusUsesEnvoyNamesAndTags() throws Exception {
    String body = admin("/stats/prometheus").body();
    assertTrue(body.contains("envoy_cluster_upstream_rq_total{envoy_cluster_name=\"backend\"} 4"), body);
    assertTrue(body.contains("envoy_http_downstream_rq_xx{envoy_response_code_class=\"2\",envoy_http_conn_manager_prefix=\"ingress_http\"} 3"), body);
    assertTrue(body.contains("envoy_listener_downstream_cx_total{envoy_listener_address=\"127.0.0.1_0\"}"), body);
  }

  @Test
  void clustersListenersAndConfigDump() throws Exception {
    String clusters = admin("/clusters").body();
    assertTrue(clusters.contains("backend::127.0.0.1:" + up.port() + "::health_flags::healthy"), clusters);
    assertTrue(clusters.contains("backend::default_priority::max_connections::1024"), clusters);
    assertEquals("web::127.0.0.1:" + dp.port("web") + "\n", admin("/listeners").body());
    JsonObject dump = new JsonObject(admin("/config_dump?resource=static_listeners").body());
    assertEquals("web", dump.getJsonArray("configs").getJsonObject(0).getJsonObject("listener").getString("name"));
  }

  @Test
  void mutationsNeedPost() throws Exception {
    assertEquals(405, admin("/healthcheck/fail").statusCode());
    HttpResponse<String> fail = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/healthcheck/fail"))
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    assertEquals(200, fail.statusCode());
    assertEquals(503, admin("/ready").statusCode());
    Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/healthcheck/ok"))
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    assertEquals(200, admin("/ready").statusCode());
  }
}
