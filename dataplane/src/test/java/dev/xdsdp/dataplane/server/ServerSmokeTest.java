package dev.xdsdp.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.util.JsonFormat;
import dev.xdsdp.dataplane.filters.BuiltinExtensions;
import dev.xdsdp.dataplane.stats.StatsStore;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ServerSmokeTest {

  @Test
  void proxiesToUpstream() throws Exception {
    Vertx up = Vertx.vertx();
    HttpServer upstream = up.createHttpServer().requestHandler(r -> r.response()
        .putHeader("x-upstream", "yes").end("hello from " + r.path() + " host=" + r.getHeader("host")))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    String json = """
        {"static_resources": {
          "listeners": [{"name": "l", "address": {"socket_address": {"address": "127.0.0.1", "port_value": 0}},
            "filter_chains": [{"filters": [{"name": "envoy.filters.network.http_connection_manager",
              "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                "stat_prefix": "ingress",
                "route_config": {"name": "r", "virtual_hosts": [{"name": "v", "domains": ["*"],
                  "routes": [{"match": {"prefix": "/direct"}, "direct_response": {"status": 200, "body": {"inline_string": "direct"}}},
                             {"match": {"prefix": "/api"}, "route": {"cluster": "backend", "prefix_rewrite": "/v2"}}]}]},
                "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}]}}]}]}],
          "clusters": [{"name": "backend", "connect_timeout": "1s", "type": "STATIC",
            "load_assignment": {"cluster_name": "backend", "endpoints": [{"lb_endpoints": [{"endpoint": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": %d}}}}]}]}}]}}
        """.formatted(upstream.actualPort());
    Bootstrap.Builder b = Bootstrap.newBuilder();
    JsonFormat.parser().usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
        .add(HttpConnectionManager.getDescriptor()).add(Router.getDescriptor()).build()).merge(json, b);
    StatsStore stats = new StatsStore();
    try (Server server = Server.start(b.build(), new Server.Settings(2, Node.getDefaultInstance(), UnaryOperator.identity()),
        stats, cm -> BuiltinExtensions.create(cm, (v, rq, rs, i) -> v, List.of()))) {
      int port = server.listenerPort("l");
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/x")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertEquals("hello from /v2/x host=127.0.0.1:" + port, r.body());
      assertEquals("yes", r.headers().firstValue("x-upstream").orElse(""));
      assertEquals("envoy", r.headers().firstValue("server").orElse(""));
      HttpResponse<String> d = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/direct")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals("direct", d.body());
      HttpResponse<String> n = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/nothing")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, n.statusCode());
      assertEquals(1, stats.counter("cluster.backend.upstream_rq_200").value());
      assertEquals(1, stats.counter("http.ingress.no_route").value());
    } finally {
      up.close();
    }
  }
}
