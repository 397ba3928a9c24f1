package dev.xdsdp.it.http;

import static dev.xdsdp.it.support.Http.echo;
import static dev.xdsdp.it.support.Http.get;
import static dev.xdsdp.it.support.Http.upstreamHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Envoy's routing through real sockets: virtual hosts, matchers, actions and header edits. */
class RoutingIT {

  static EchoUpstream a;
  static EchoUpstream b;
  static EchoUpstream c;
  static Dataplane dp;

  @BeforeAll
  static void start() throws Exception {
    a = EchoUpstream.start("a");
    b = EchoUpstream.start("b");
    c = EchoUpstream.start("c");
    dp = Dataplane.startBootstrap("routing.yaml", Map.of("A", a.port(), "B", b.port(), "C", c.port()));
  }

  @AfterAll
  static void stop() {
    dp.close();
    a.close();
    b.close();
    c.close();
  }

  static String upstream(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    return echo(r).getString("name");
  }

  HttpResponse<String> host(String host, String path) throws Exception {
    return get(dp.uri("main", path), "x-host-override", host);
  }

  @Test
  void domainsMatchExactThenLongestSuffixThenPrefixThenDefault() throws Exception {
    // The JDK client forbids setting Host, so go through a raw authority with HTTP/1.1 absolute form.
    assertEquals("a", upstream(Raw.get(dp.port("main"), "exact.example.com", "/x")));
    assertEquals("b", upstream(Raw.get(dp.port("main"), "x.deep.example.com", "/x")));
    assertEquals("c", upstream(Raw.get(dp.port("main"), "x.example.com", "/x")));
    assertEquals("b", upstream(Raw.get(dp.port("main"), "api.anything", "/x")));
    assertEquals("a", upstream(Raw.get(dp.port("main"), "unknown.host", "/x")));
    // A suffix wildcard needs at least one character before it.
    assertEquals("a", upstream(Raw.get(dp.port("main"), ".example.com", "/x")));
  }

  @Test
  void pathMatchersFollowEnvoySemantics() throws Exception {
    assertEquals("a", upstream(get(dp.uri("main", "/exact"))));
    assertEquals("a", upstream(get(dp.uri("main", "/exact?query=1"))));
    assertEquals("a", upstream(get(dp.uri("main", "/exactly"))));
    assertEquals("b", upstream(get(dp.uri("main", "/cAsE"))));
    assertEquals("c", upstream(get(dp.uri("main", "/regex/123"))));
    assertEquals("a", upstream(get(dp.uri("main", "/regex/12a"))));
    assertEquals("b", upstream(get(dp.uri("main", "/sep"))));
    assertEquals("b", upstream(get(dp.uri("main", "/sep/more"))));
    assertEquals("a", upstream(get(dp.uri("main", "/separate"))));
  }

  @Test
  void headerAndQueryMatchers() throws Exception {
    assertEquals("b", upstream(get(dp.uri("main", "/headers"), "x-version", "v2")));
    assertEquals("a", upstream(get(dp.uri("main", "/headers"), "x-version", "v2", "x-absent", "here")));
    assertEquals("c", upstream(get(dp.uri("main", "/headers"), "x-range", "15")));
    assertEquals("a", upstream(get(dp.uri("main", "/headers"), "x-range", "20")));
    assertEquals("b", upstream(get(dp.uri("main", "/query?debug=true&x=1"))));
    assertEquals("a", upstream(get(dp.uri("main", "/query?debug=false"))));
  }

  @Test
  void rewritesKeepTheOriginalPathInXEnvoyOriginalPath() throws Exception {
    HttpResponse<String> r = get(dp.uri("main", "/rewrite/thing?q=1"));
    assertEquals("/new/thing?q=1", echo(r).getString("path"));
    assertEquals("/rewrite/thing?q=1", upstreamHeader(r, "x-envoy-original-path"));
    assertEquals("/swapped/b/a", echo(get(dp.uri("main", "/regex-rewrite/a/b"))).getString("path"));
    assertEquals("rewritten.internal", echo(get(dp.uri("main", "/host"))).getString("authority"));
  }

  @Test
  void weightedClustersSplitTraffic() throws Exception {
    int toA = 0;
    for (int i = 0; i < 200; i++) {
      if (upstream(get(dp.uri("main", "/weighted"))).equals("a")) {
        toA++;
      }
    }
    // 75% expected; 200 samples keep this far outside flakiness (binomial sd ~ 6).
    assertTrue(toA > 120 && toA < 180, "requests to a: " + toA);
  }

  @Test
  void clusterHeaderPicksTheCluster() throws Exception {
    assertEquals("c", upstream(get(dp.uri("main", "/cluster-header"), "x-target", "c")));
    HttpResponse<String> none = get(dp.uri("main", "/cluster-header"));
    assertEquals(503, none.statusCode());
  }

  @Test
  void directResponsesAndRedirects() throws Exception {
    HttpResponse<String> d = get(dp.uri("main", "/direct"));
    assertEquals(418, d.statusCode());
    assertEquals("short and stout", d.body());
    assertEquals("text/plain", d.headers().firstValue("content-type").orElse(null));
    HttpResponse<String> r = get(dp.uri("main", "/redirect?keep=1"));
    assertEquals(302, r.statusCode());
    assertEquals("http://other.example.com/landing?keep=1", r.headers().firstValue("location").orElse(null));
    HttpResponse<String> s = Raw.get(dp.port("main"), "secure.example.org:8080", "/https/x");
    assertEquals(301, s.statusCode());
    assertEquals("https://secure.example.org:8080/https/x", s.headers().firstValue("location").orElse(null));
  }

  @Test
  void noRouteIs404WithFlagNrAndUnknownClusterIs503() throws Exception {
    long before = dp.stat("http.routing.no_cluster");
    HttpResponse<String> r = get(dp.uri("main", "/nocluster"));
    assertEquals(503, r.statusCode());
    assertEquals(before + 1, dp.stat("http.routing.no_cluster"));
    long noRoute = dp.stat("http.routing.no_route");
    HttpResponse<String> nr = Raw.get(dp.port("main"), "narrow.example.com", "/other");
    assertEquals(404, nr.statusCode());
    assertEquals("", nr.body());
    assertEquals(noRoute + 1, dp.stat("http.routing.no_route"));
    assertEquals(200, Raw.get(dp.port("main"), "narrow.example.com", "/only").statusCode());
  }

  @Test
  void headerMutationsApplyAtAllThreeLevelsWithTheConfigLevelLast() throws Exception {
    HttpResponse<String> r = get(dp.uri("main", "/mutations"), "x-strip", "gone", "x-if-absent", "client",
        "x-overwrite", "old", "x-remove-me", "client");
    var headers = echo(r).getJsonObject("headers");
    // Envoy applies route, then virtual host, then route configuration: appended values accumulate.
    assertEquals(List.of("route", "vhost", "config"), headers.getJsonArray("x-level").getList());
    assertEquals(List.of("one", "two"), headers.getJsonArray("x-appended").getList());
    assertEquals(List.of("client"), headers.getJsonArray("x-if-absent").getList());
    assertEquals(List.of("new"), headers.getJsonArray("x-overwrite").getList());
    assertNull(headers.getJsonArray("x-strip"));
    assertEquals("127.0.0.1", upstreamHeader(r, "x-client"));
    // Response side: the last level to overwrite wins, and removals apply.
    assertEquals("config", r.headers().firstValue("x-resp-level").orElse(null));
  }

  @Test
  void connectionManagerHeaders() throws Exception {
    HttpResponse<String> r = get(dp.uri("main", "/anything"), "x-forwarded-for", "10.1.2.3",
        "x-envoy-retry-on", "5xx", "x-request-id", "from-client");
    assertEquals("test-proxy", r.headers().firstValue("server").orElse(null));
    assertNotNull(r.headers().firstValue("date").orElse(null));
    assertNotNull(r.headers().firstValue("x-envoy-upstream-service-time").orElse(null));
    assertEquals("10.1.2.3,127.0.0.1", upstreamHeader(r, "x-forwarded-for"));
    assertEquals("http", upstreamHeader(r, "x-forwarded-proto"));
    // A loopback client is internal: x-envoy headers are kept and marked.
    assertEquals("true", upstreamHeader(r, "x-envoy-internal"));
    assertEquals("5xx", upstreamHeader(r, "x-envoy-retry-on"));
    assertEquals("from-client", upstreamHeader(r, "x-request-id"));
    assertNotNull(upstreamHeader(r, "x-envoy-expected-rq-timeout-ms"));
    HttpResponse<String> noId = get(dp.uri("main", "/anything"));
    assertTrue(upstreamHeader(noId, "x-request-id").matches("[0-9a-f-]{36}"));
  }

  @Test
  void responseHeadersToRemoveApplyAtAllThreeLevels() throws Exception {
    String q = "?header=x-remove-me:u&header=x-remove-vhost:u&header=x-remove-route:u&header=x-kept:u";
    HttpResponse<String> r = get(dp.uri("main", "/mutations" + q));
    assertEquals(200, r.statusCode());
    assertEquals("u", r.headers().firstValue("x-kept").orElse(null));
    assertNull(r.headers().firstValue("x-remove-me").orElse(null), "route configuration level");
    assertNull(r.headers().firstValue("x-remove-vhost").orElse(null), "virtual host level");
    assertNull(r.headers().firstValue("x-remove-route").orElse(null), "route level");
    // The route's own removals stay with that route.
    HttpResponse<String> other = get(dp.uri("main", "/anything" + q));
    assertEquals("u", other.headers().firstValue("x-remove-route").orElse(null));
    assertNull(other.headers().firstValue("x-remove-vhost").orElse(null));
    assertNull(other.headers().firstValue("x-remove-me").orElse(null));
  }

  @Test
  void edgeRequestsLoseInternalEnvoyHeadersAndGetTheExternalAddress() throws Exception {
    // internal_address_config on "edge" leaves loopback out: this client is external.
    HttpResponse<String> r = get(dp.uri("edge", "/x?delay=100"), "x-envoy-retry-on", "5xx",
        "x-envoy-internal", "true", "x-envoy-external-address", "1.2.3.4",
        "x-envoy-upstream-rq-timeout-ms", "1", "x-envoy-expected-rq-timeout-ms", "1",
        "x-envoy-downstream-service-cluster", "spoofed", "x-request-id", "from-client");
    assertEquals(200, r.statusCode(), "x-envoy-upstream-rq-timeout-ms: 1 from an edge client is ignored");
    assertNull(upstreamHeader(r, "x-envoy-retry-on"));
    assertNull(upstreamHeader(r, "x-envoy-internal"));
    assertNull(upstreamHeader(r, "x-envoy-downstream-service-cluster"));
    assertNull(upstreamHeader(r, "x-envoy-upstream-rq-timeout-ms"));
    assertEquals("127.0.0.1", upstreamHeader(r, "x-envoy-external-address"));
    assertEquals("15000", upstreamHeader(r, "x-envoy-expected-rq-timeout-ms"), "the router's own value");
    assertEquals("127.0.0.1", upstreamHeader(r, "x-forwarded-for"));
    assertTrue(!"from-client".equals(upstreamHeader(r, "x-request-id"))
        && upstreamHeader(r, "x-request-id").matches("[0-9a-f-]{36}"), "an edge request gets a new request id");
    // The same client on the listener with the default internal ranges is internal.
    HttpResponse<String> internal = get(dp.uri("main", "/anything"), "x-envoy-external-address", "1.2.3.4");
    assertEquals("1.2.3.4", upstreamHeader(internal, "x-envoy-external-address"));
    assertEquals("true", upstreamHeader(internal, "x-envoy-internal"));
  }

  @Test
  void internalAddressConfigWithoutCidrRangesKeepsTheDefaultRanges() throws Exception {
    HttpResponse<String> r = get(dp.uri("default-ranges", "/x"), "x-envoy-retry-on", "5xx",
        "x-envoy-external-address", "1.2.3.4");
    assertEquals("true", upstreamHeader(r, "x-envoy-internal"));
    assertEquals("5xx", upstreamHeader(r, "x-envoy-retry-on"));
    assertEquals("1.2.3.4", upstreamHeader(r, "x-envoy-external-address"));
  }
}
