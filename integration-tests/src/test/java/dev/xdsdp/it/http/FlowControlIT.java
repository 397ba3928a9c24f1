package dev.xdsdp.it.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Back-pressure between the client and the upstream with no filter holding anything: an upload
 * larger than every buffer on the way, to an upstream that reads slowly, pauses the client each
 * time the upstream's write queue fills and resumes it when it drains, and arrives whole.
 */
class FlowControlIT {

  static final String YAML = """
      static_resources:
        listeners:
        - name: main
          address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: main
                route_config:
                  virtual_hosts: [{ name: all, domains: ["*"], routes: [{ match: { prefix: / }, route: { cluster: slow, timeout: 60s } }] }]
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        clusters:
        - name: slow
          connect_timeout: 1s
          load_assignment:
            cluster_name: slow
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${UPSTREAM} } } } }] }]
      """;

  static EchoUpstream upstream;
  static Dataplane dp;

  @BeforeAll
  static void start() throws Exception {
    upstream = EchoUpstream.start("slow");
    dp = Dataplane.start(YAML, Map.of("UPSTREAM", upstream.port()));
  }

  @AfterAll
  static void stop() {
    dp.close();
    upstream.close();
  }

  @Test
  void aLargeUploadToASlowReaderArrivesWhole() throws Exception {
    int size = 24 << 20;
    byte[] chunk = new byte[256 * 1024];
    HttpRequest request = HttpRequest.newBuilder(dp.uri("main", "/upload?slowRead=2"))
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofByteArrays(() -> new java.util.Iterator<byte[]>() {
          int sent;

          @Override
          public boolean hasNext() {
            return sent < size;
          }

          @Override
          public byte[] next() {
            sent += chunk.length;
            return chunk;
          }
        }))
        .build();
    HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(size, new JsonObject(r.body()).getLong("bodyLength"));
  }
}
