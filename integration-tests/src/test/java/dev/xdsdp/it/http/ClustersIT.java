package dev.xdsdp.it.http;

import static dev.xdsdp.it.support.Http.echo;
import static dev.xdsdp.it.support.Http.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Load balancing policies, DNS clusters, health and empty clusters, filter chain selection. */
class ClustersIT {

  static EchoUpstream h1;
  static EchoUpstream h2;
  static EchoUpstream h3;
  static Dataplane dp;

  @BeforeAll
  static void start() throws Exception {
    h1 = EchoUpstream.start("h1");
    h2 = EchoUpstream.start("h2");
    h3 = EchoUpstream.start("h3");
    dp = Dataplane.startBootstrap("clusters.yaml", Map.of("H1", h1.port(), "H2", h2.port(), "H3", h3.port()));
  }

  @AfterAll
  static void stop() {
    dp.close();
    h1.close();
    h2.close();
    h3.close();
  }

  static Map<String, Integer> spread(String path, int n) throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = get(dp.uri("main", path));
      assertEquals(200, r.statusCode(), r.body());
      counts.merge(echo(r).getString("name"), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void roundRobinVisitsEveryHostInTurn() throws Exception {
    Map<String, Integer> c = spread("/rr", 30);
    assertEquals(Map.of("h1", 10, "h2", 10, "h3", 10), c);
  }

  @Test
  void roundRobinAlternatesInAFixedCycle() throws Exception {
    List<String> seq = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      seq.add(echo(get(dp.uri("main", "/rr"))).getString("name"));
    }
    assertEquals(3, new java.util.HashSet<>(seq.subList(0, 3)).size(), seq.toString());
    for (int i = 3; i < seq.size(); i++) {
      assertEquals(seq.get(i - 3), seq.get(i), "not a strict cycle: " + seq);
    }
  }

  @Test
  void leastRequestPrefersTheLessLoadedHost() throws Exception {
    // Park three slow requests on h1 (delayOn makes h2 answer those at once), then send quick ones.
    // Envoy's two choices are drawn with replacement: with h1 busy and h2 idle, h1 is picked only
    // when both draws land on it, 1 time in 4; plain random would give it half.
    List<CompletableFuture<HttpResponse<String>>> parked = new ArrayList<>();
    int h1Before = h1.requests();
    for (int i = 0; i < 40 && h1.requests() - h1Before < 3; i++) {
      int seen = h1.requests() + h2.requests();
      String path = "/least?delay=3000&delayOn=h1&p=" + i;
      parked.add(CompletableFuture.supplyAsync(() -> {
        try {
          return get(dp.uri("main", path));
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }));
      for (int w = 0; w < 200 && h1.requests() + h2.requests() == seen; w++) {
        Thread.sleep(5);
      }
    }
    assertEquals(3, h1.requests() - h1Before, "could not park three requests on h1");
    Map<String, Integer> c = spread("/least", 200);
    int toIdle = c.getOrDefault("h2", 0);
    assertTrue(toIdle >= 125, "the idle host got only " + toIdle + " of 200: " + c);
    for (var f : parked) {
      assertEquals(200, f.get(20, TimeUnit.SECONDS).statusCode());
    }
  }

  @Test
  void randomAndLeastRequestUseEveryHost() throws Exception {
    assertEquals(2, spread("/random", 60).size());
    assertEquals(2, spread("/least", 60).size());
  }

  @Test
  void hostWeightsShareTraffic() throws Exception {
    Map<String, Integer> c = spread("/weighted-hosts", 40);
    assertEquals(30, c.get("h1"));
    assertEquals(10, c.get("h2"));
  }

  @Test
  void dnsClustersResolveHostNames() throws Exception {
    assertEquals(Map.of("h3", 3), spread("/strict-dns", 3));
    HttpResponse<String> r = get(dp.uri("main", "/logical-dns"));
    assertEquals("h3", echo(r).getString("name"));
    // auto_host_rewrite uses the DNS name of the chosen host.
    assertEquals("localhost", echo(r).getString("authority"));
    assertEquals(1, dp.stat("cluster.strict-dns.membership_total"));
  }

  @Test
  void noHealthyHostGives503WithFlagUh() throws Exception {
    HttpResponse<String> r = get(dp.uri("main", "/unhealthy"));
    assertEquals(503, r.statusCode());
    assertEquals("no healthy upstream", r.body());
    HttpResponse<String> e = get(dp.uri("main", "/empty"));
    assertEquals(503, e.statusCode());
    assertEquals("no healthy upstream", e.body());
    assertTrue(dp.stat("cluster.empty.upstream_cx_none_healthy") >= 1);
  }

  @Test
  void filterChainIsChosenBySourceAddress() throws Exception {
    // Loopback clients match 127.0.0.0/8, never 10.0.0.0/8.
    get(dp.uri("main", "/rr"));
    assertTrue(dp.stat("http.lb.downstream_rq_total") >= 1);
    assertEquals(0, dp.stat("http.never.downstream_rq_total"));
  }

  @Test
  void codecChecks() throws Exception {
    HttpResponse<String> http10 = Raw.request(dp.port("main"), "GET /rr HTTP/1.0\r\nHost: x\r\n\r\n");
    assertEquals(426, http10.statusCode());
    HttpResponse<String> noHost = Raw.request(dp.port("main"), "GET /rr HTTP/1.1\r\nConnection: close\r\n\r\n");
    assertEquals(400, noHost.statusCode());
    assertEquals(List.of("envoy"), noHost.headers().allValues("server"));
  }
}
