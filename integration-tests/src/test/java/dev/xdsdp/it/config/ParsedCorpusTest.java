package dev.xdsdp.it.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.xdsdp.api.registry.ExtensionRegistry;
import dev.xdsdp.dataplane.accesslog.AccessLogManager;
import dev.xdsdp.dataplane.accesslog.AccessLoggerFactories;
import dev.xdsdp.dataplane.filters.BuiltinExtensions;
import dev.xdsdp.dataplane.router.SubstitutionHeaderFormatter;
import dev.xdsdp.dataplane.stats.StatsStore;
import dev.xdsdp.xds.bootstrap.BootstrapLoader;
import dev.xdsdp.xds.bootstrap.ConfigParseException;
import dev.xdsdp.xds.bootstrap.TypedStructs;
import dev.xdsdp.xds.resource.ConfigIssues;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.resource.cluster.CircuitBreakerThresholds;
import dev.xdsdp.xds.resource.route.RedirectAction;
import dev.xdsdp.xds.resource.route.RouteConfig;
import dev.xdsdp.xds.resource.route.RouteTableConfig;
import dev.xdsdp.xds.snapshot.StaticResources;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.metrics.v3.StatsConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Valid corpus files parsed into the snapshot records the data plane serves from, through the same
 * parts {@code Main} uses: what validation accepts must also mean what the config says.
 */
class ParsedCorpusTest {

  @BeforeAll
  static void scratchFiles() throws java.io.IOException {
    Corpus.prepareScratch();
  }

  /** {@code valid/<name>} parsed; fails the test on any error or unsupported setting. */
  static StaticResources parse(String name) throws Exception {
    Path file = Corpus.root().resolve("valid").resolve(name);
    var bootstrap = BootstrapLoader.load(file, null, false).bootstrap();
    AccessLogManager logs = new AccessLogManager();
    try {
      ExtensionRegistry registry = BuiltinExtensions.create(null, new SubstitutionHeaderFormatter(),
          AccessLoggerFactories.create(logs));
      ParseContext ctx = new ParseContext(registry, StatsStore.create(StatsConfig.getDefaultInstance()),
          Node.getDefaultInstance(), true, new ConfigIssues(), any -> {
            try {
              return TypedStructs.unwrap(any, file.toString());
            } catch (ConfigParseException e) {
              return any;
            }
          });
      StaticResources resources = StaticResources.parse(bootstrap, ctx);
      assertEquals(List.of(), resources.errors());
      assertEquals(List.of(), resources.issues());
      return resources;
    } finally {
      logs.close();
    }
  }

  @Test
  void circuitBreakerLimitsAboveIntMaxMeanNoLimitNotMinusOne() throws Exception {
    var clusters = parse("clusters/circuit-breakers.yaml").clusters();
    // max_connections: 4294967295 ("unlimited", as Istio writes it) must not wrap to -1.
    assertEquals(new CircuitBreakerThresholds(Integer.MAX_VALUE, 1_000_000, 1_000_000, 3),
        clusters.get("very_large_limits").thresholds());
    assertEquals(new CircuitBreakerThresholds(100, 50, 200, 5), clusters.get("guarded").thresholds());
    assertEquals(new CircuitBreakerThresholds(1024, 1024, 1024, 0), clusters.get("only_retries_limited").thresholds());
  }

  @Test
  void domainsAreMatchedInEnvoysOrderAndAStarInsideANameIsLiteral() throws Exception {
    RouteTableConfig table = parse("routing/domains-wildcards.yaml").listeners().get("vhosts")
        .filterChains().getFirst().hcm().routeTable();
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("www.example.com", "exact");
    expected.put("EXAMPLE.com", "exact");
    expected.put("example.com:8443", "exact");
    expected.put("shop.eu.example.com", "deep_suffix");
    expected.put("shop.example.com", "suffix");
    expected.put("api.x.example.com", "suffix");
    expected.put("api.*.example.com", "literal_star");
    expected.put("web-staging.example.org", "suffix");
    expected.put("api.other.net", "prefix");
    expected.put("api-v2.example.net", "prefix");
    expected.put("example.com:9999", "catch_all");
    expected.put("unknown.org", "catch_all");
    Map<String, String> actual = new LinkedHashMap<>();
    for (String host : expected.keySet()) {
      actual.put(host, table.findVirtualHost(host).name());
    }
    assertEquals(expected, actual);
  }

  @Test
  void redirectsKeepWhatTheyDoNotReplace() throws Exception {
    RouteTableConfig table = parse("routing/actions.yaml").listeners().get("actions")
        .filterChains().getFirst().hcm().routeTable();
    Map<String, RedirectAction> redirects = new LinkedHashMap<>();
    for (RouteConfig r : table.findVirtualHost("old.example.com").routes()) {
      redirects.put(r.name(), (RedirectAction) r.action());
    }
    assertEquals(new RedirectAction("https", null, 0, null, null, null, null, 301, false), redirects.get("to_https"));
    assertEquals(new RedirectAction(null, null, 0, "/new-page", null, null, null, 303, true), redirects.get("fixed_path"));
    assertEquals(new RedirectAction(null, "mirror.example.com", 0, null, null, null, null, 301, false),
        redirects.get("mirror_keeps_path"));
    assertEquals(308, redirects.get("scheme_and_port").responseCode());
    assertEquals(8443, redirects.get("scheme_and_port").port());
  }
}
