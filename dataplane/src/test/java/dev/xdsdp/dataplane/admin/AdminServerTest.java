package dev.xdsdp.dataplane.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.xdsdp.dataplane.filters.BuiltinExtensions;
import dev.xdsdp.dataplane.server.CommandLine;
import dev.xdsdp.dataplane.server.Logging;
import dev.xdsdp.dataplane.server.Options;
import dev.xdsdp.dataplane.server.Server;
import dev.xdsdp.dataplane.stats.CounterImpl;
import dev.xdsdp.dataplane.stats.StatsStore;
import dev.xdsdp.dataplane.upstream.Host;
import dev.xdsdp.xds.bootstrap.EnvoyTypeRegistry;
import io.envoyproxy.envoy.admin.v3.BootstrapConfigDump;
import io.envoyproxy.envoy.admin.v3.Clusters;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.CommandLineOptions;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.Listeners;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.Memory;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.admin.v3.SecretsConfigDump;
import io.envoyproxy.envoy.admin.v3.ServerInfo;
import io.envoyproxy.envoy.admin.v3.SimpleMetric;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin server over a real socket, in front of a real data plane started from a bootstrap
 * (two STATIC clusters, two listeners with inline routes, a static TLS secret), asked by a real
 * HTTP client.
 */
class AdminServerTest {

  static final String BOOTSTRAP = """
      {"node": {"id": "node-1", "cluster": "mesh"},
       "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": 0}}},
       "static_resources": {
        "listeners": [
         {"name": "ingress", "address": {"socket_address": {"address": "127.0.0.1", "port_value": 0}},
          "traffic_direction": "INBOUND",
          "filter_chains": [{"filters": [{"name": "envoy.filters.network.http_connection_manager",
           "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
            "stat_prefix": "ingress_http",
            "route_config": {"name": "local_route", "virtual_hosts": [{"name": "all", "domains": ["*"],
             "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "backend"}}]}]},
            "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}]}}]}]},
         {"name": "second", "address": {"socket_address": {"address": "127.0.0.1", "port_value": 0}},
          "filter_chains": [{"filters": [{"name": "envoy.filters.network.http_connection_manager",
           "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
            "stat_prefix": "second_http",
            "route_config": {"name": "other_route", "virtual_hosts": [{"name": "all", "domains": ["*"],
             "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "alpha"}}]}]},
            "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}]}}]}]}],
        "clusters": [
         {"name": "backend", "connect_timeout": "1s", "type": "STATIC",
          "circuit_breakers": {"thresholds": [{"max_connections": 100, "max_retries": 5},
                                              {"priority": "HIGH", "max_retries": 7}]},
          "load_assignment": {"cluster_name": "backend", "endpoints": [
           {"locality": {"region": "eu", "zone": "eu-1", "sub_zone": "a"},
            "lb_endpoints": [
             {"endpoint": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": 1234}}, "hostname": "be1"}},
             {"endpoint": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": 1235}}},
              "health_status": "DEGRADED", "load_balancing_weight": 3}]}]}},
         {"name": "alpha", "alt_stat_name": "alpha_stats", "connect_timeout": "1s", "type": "STATIC",
          "load_assignment": {"cluster_name": "alpha", "endpoints": [{"lb_endpoints": [
           {"endpoint": {"address": {"socket_address": {"address": "127.0.0.2", "port_value": 80}}}}]}]}}],
        "secrets": [{"name": "server_cert", "tls_certificate": {
          "certificate_chain": {"inline_string": "CERTIFICATE"},
          "private_key": {"inline_string": "VERY-SECRET-KEY"}}}]}}
      """;

  static final Instant START = Instant.parse("2025-01-02T03:04:05.678Z");
  static final Instant LOADED = Instant.parse("2025-01-02T03:04:06.789Z");
  static final Instant NOW = Instant.parse("2025-01-02T03:05:05.999Z");

  static Server server;
  static StatsStore stats;
  static Bootstrap bootstrap;
  static ServerAdminContext context;
  static ConfigTracker tracker;
  static AdminServer admin;
  static Vertx adminVertx;
  static HttpClient http;
  static JsonFormat.Parser parser;
  static Path addressFile;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    Bootstrap.Builder b = Bootstrap.newBuilder();
    parser = JsonFormat.parser().usingTypeRegistry(EnvoyTypeRegistry.get().jsonRegistry());
    parser.merge(BOOTSTRAP, b);
    bootstrap = b.build();
    stats = new StatsStore();
    server = Server.start(bootstrap, new Server.Settings(1, bootstrap.getNode(), UnaryOperator.identity()), stats,
        cm -> BuiltinExtensions.create(cm, (v, rq, rs, i) -> v, List.of()));
    addressFile = dir.resolve("admin-address");
    Options options = ((CommandLine.Parsed.Run) CommandLine.parse("--concurrency", "1", "--service-node", "node-1",
        "--service-cluster", "mesh", "-l", "warning", "--component-log-level", "upstream:debug,config:trace",
        "--drain-time-s", "45", "--stats-tag", "team:core", "--admin-address-path", addressFile.toString()))
        .options();
    context = new ServerAdminContext(server, bootstrap, stats, options, Clock.fixed(NOW, ZoneOffset.UTC), START,
        LOADED);
    tracker = new ConfigTracker();
    StaticConfigDumps.register(tracker, context);
    adminVertx = Vertx.vertx();
    admin = AdminServer.start(adminVertx, context, tracker, bootstrap.getAdmin().getAddress())
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    http = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stop() throws Exception {
    if (admin != null) {
      admin.close();
    }
    if (adminVertx != null) {
      adminVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void resetState() {
    context.healthCheckFailed = false;
    context.initState = AdminContext.InitState.INITIALIZED;
    context.actions.clear();
    Logging.reset();
  }

  static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(pathAndQuery)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + admin.port() + pathAndQuery);
  }

  static <T extends Message.Builder> T parse(String json, T builder) throws Exception {
    parser.merge(json, builder);
    return builder;
  }

  @Test
  void bindsPortZeroAndWritesTheAddressFile() throws Exception {
    assertTrue(admin.port() > 0);
    assertEquals("127.0.0.1:" + admin.port(), Files.readString(addressFile));
  }

  @Test
  void helpListsEndpointsSortedWithPostMarksAndParams() throws Exception {
    HttpResponse<String> r = get("/help");
    assertEquals(200, r.statusCode());
    assertEquals("text/plain; charset=UTF-8", r.headers().firstValue("content-type").orElse(""));
    assertEquals("nosniff", r.headers().firstValue("x-content-type-options").orElse(""));
    assertEquals("no-cache, max-age=0", r.headers().firstValue("cache-control").orElse(""));
    assertEquals("envoy", r.headers().firstValue("server").orElse(""));
    assertTrue(r.headers().firstValue("date").orElse("").endsWith(" GMT"));
    String body = r.body();
    assertTrue(body.startsWith("admin commands are:\n  /: Admin home page\n  /certs: print certs on machine\n"
        + "  /clusters: upstream cluster status\n      format: The output format; One of (text, json)\n"
        + "  /config_dump: dump current Envoy configs (experimental)\n"), body);
    assertTrue(body.contains("\n  /quitquitquit (POST): exit the server\n"), body);
    assertTrue(body.contains("\n  /logging (POST): query/change logging levels\n"), body);
    assertTrue(body.contains("      level: Set every logger to this level; One of (, trace, debug, info, warning, error,"
        + " critical, off)\n"), body);
    assertTrue(body.contains("\n  /stats/prometheus: print server stats in prometheus format\n"), body);
    assertEquals(body, get("/").body());
  }

  @Test
  void readOnlyEndpointsAnswerAnyMethodAndHeadHasNoBody() throws Exception {
    HttpResponse<String> post = post("/listeners");
    assertEquals(200, post.statusCode());
    assertEquals(get("/listeners").body(), post.body());
    HttpResponse<String> head = http.send(HttpRequest.newBuilder(uri("/config_dump"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, head.statusCode());
    assertEquals("application/json", head.headers().firstValue("content-type").orElse(""));
    assertEquals("", head.body());
  }

  @Test
  void unknownPathIs404WithTheHelp() throws Exception {
    HttpResponse<String> r = get("/nope?x=1");
    assertEquals(404, r.statusCode());
    assertEquals("invalid path. " + admin.help(), r.body());
    // Paths match exactly.
    assertEquals(404, get("/stats/").statusCode());
  }

  @Test
  void mutationsRequirePost() throws Exception {
    for (String path : List.of("/quitquitquit", "/healthcheck/fail", "/healthcheck/ok", "/logging", "/reset_counters",
        "/drain_listeners", "/reopen_logs")) {
      HttpResponse<String> r = get(path);
      assertEquals(405, r.statusCode(), path);
      assertEquals("Method GET not allowed, POST required.", r.body(), path);
    }
    assertEquals(List.of(), context.actions);
    assertFalse(context.healthCheckFailed);
  }

  @Test
  void readyFollowsInitStateAndHealthCheck() throws Exception {
    HttpResponse<String> r = get("/ready");
    assertEquals(200, r.statusCode());
    assertEquals("LIVE\n", r.body());

    HttpResponse<String> fail = post("/healthcheck/fail");
    assertEquals(200, fail.statusCode());
    assertEquals("OK\n", fail.body());
    r = get("/ready");
    assertEquals(503, r.statusCode());
    assertEquals("DRAINING\n", r.body());

    assertEquals("OK\n", post("/healthcheck/ok").body());
    assertEquals("LIVE\n", get("/ready").body());

    context.initState = AdminContext.InitState.INITIALIZING;
    r = get("/ready");
    assertEquals(503, r.statusCode());
    assertEquals("INITIALIZING\n", r.body());
    context.initState = AdminContext.InitState.UNINITIALIZED;
    assertEquals("PRE_INITIALIZING\n", get("/ready").body());
    // In process, without HTTP.
    AdminResponse inProcess = admin.request("GET", "/ready");
    assertEquals(503, inProcess.status());
    assertEquals("PRE_INITIALIZING\n", inProcess.body());
  }

  @Test
  void serverInfo() throws Exception {
    HttpResponse<String> r = get("/server_info");
    assertEquals(200, r.statusCode());
    assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
    String body = r.body();
    // protobuf C++'s layout, and default-valued fields printed as Envoy does.
    assertTrue(body.startsWith("{\n \"version\": \"0123456789abcdef/1.36.0-dev/Clean/RELEASE/JDK\",\n"
        + " \"state\": \"LIVE\",\n \"uptime_current_epoch\": \"60s\",\n \"uptime_all_epochs\": \"60s\",\n"
        + " \"hot_restart_version\": \"disabled\",\n \"command_line_options\": {\n  \"base_id\": \"0\",\n"), body);
    assertTrue(body.contains("\n  \"disabled_extensions\": [],\n"), body);
    assertTrue(body.contains("\n  \"use_dynamic_base_id\": false,\n"), body);
    ServerInfo info = parse(body, ServerInfo.newBuilder()).build();
    assertEquals(ServerInfo.State.LIVE, info.getState());
    CommandLineOptions o = info.getCommandLineOptions();
    assertEquals(1, o.getConcurrency());
    assertEquals("warning", o.getLogLevel());
    assertEquals("upstream:debug,config:trace", o.getComponentLogLevel());
    assertEquals("node-1", o.getServiceNode());
    assertEquals("mesh", o.getServiceCluster());
    assertEquals(45, o.getDrainTime().getSeconds());
    assertEquals(900, o.getParentShutdownTime().getSeconds());
    assertEquals(10, o.getFileFlushInterval().getSeconds());
    assertEquals(CommandLineOptions.Mode.Serve, o.getMode());
    assertEquals(CommandLineOptions.DrainStrategy.Gradual, o.getDrainStrategy());
    assertEquals(CommandLineOptions.IpVersion.v4, o.getLocalAddressIpVersion());
    assertEquals(List.of("team:core"), o.getStatsTagList());
    assertEquals(addressFile.toString(), o.getAdminAddressPath());
    assertEquals("node-1", info.getNode().getId());
    assertEquals("mesh", info.getNode().getCluster());

    context.healthCheckFailed = true;
    assertEquals(ServerInfo.State.DRAINING, parse(get("/server_info").body(), ServerInfo.newBuilder()).getState());
  }

  @Test
  void statsAndResetCounters() throws Exception {
    CounterImpl c = stats.counter("admin_test.requests");
    c.add(7);
    HttpResponse<String> text = get("/stats?filter=%5Eadmin_test%5C.");
    assertEquals(200, text.statusCode());
    assertEquals("admin_test.requests: 7\n", text.body());
    HttpResponse<String> json = get("/stats?format=json&filter=admin_test");
    assertEquals("application/json", json.headers().firstValue("content-type").orElse(""));
    assertTrue(json.body().contains("\"name\":\"admin_test.requests\",\"value\":7"), json.body());
    HttpResponse<String> prom = get("/stats/prometheus?filter=admin_test");
    assertEquals(200, prom.statusCode());
    assertTrue(prom.body().contains("envoy_admin_test_requests{} 7\n"), prom.body());
    assertEquals(400, get("/stats?format=nonsense").statusCode());

    HttpResponse<String> reset = post("/reset_counters");
    assertEquals("OK\n", reset.body());
    assertEquals(0, c.value());
    assertEquals("admin_test.requests: 0\n", get("/stats?filter=%5Eadmin_test%5C.").body());
    // Counters never written stay out of usedonly; a reset one was written.
    assertEquals("admin_test.requests: 0\n", get("/stats?usedonly&filter=%5Eadmin_test%5C.").body());
  }

  @Test
  void clustersText() throws Exception {
    Host be1 = server.clusterManager().get("backend").hostSet().hosts().get(0);
    be1.onRequestStart();
    be1.onRequestEnd(true);
    HttpResponse<String> r = get("/clusters");
    assertEquals(200, r.statusCode());
    assertEquals("text/plain; charset=UTF-8", r.headers().firstValue("content-type").orElse(""));
    String alpha = """
        alpha::observability_name::alpha_stats
        alpha::default_priority::max_connections::1024
        alpha::default_priority::max_pending_requests::1024
        alpha::default_priority::max_requests::1024
        alpha::default_priority::max_retries::3
        alpha::high_priority::max_connections::1024
        alpha::high_priority::max_pending_requests::1024
        alpha::high_priority::max_requests::1024
        alpha::high_priority::max_retries::3
        alpha::added_via_api::false
        alpha::127.0.0.2:80::cx_active::0
        alpha::127.0.0.2:80::cx_connect_fail::0
        alpha::127.0.0.2:80::cx_total::0
        alpha::127.0.0.2:80::rq_active::0
        alpha::127.0.0.2:80::rq_error::0
        alpha::127.0.0.2:80::rq_success::0
        alpha::127.0.0.2:80::rq_timeout::0
        alpha::127.0.0.2:80::rq_total::0
        alpha::127.0.0.2:80::hostname::
        alpha::127.0.0.2:80::health_flags::healthy
        alpha::127.0.0.2:80::weight::1
        alpha::127.0.0.2:80::region::
        alpha::127.0.0.2:80::zone::
        alpha::127.0.0.2:80::sub_zone::
        alpha::127.0.0.2:80::canary::false
        alpha::127.0.0.2:80::priority::0
        alpha::127.0.0.2:80::success_rate::-1
        alpha::127.0.0.2:80::local_origin_success_rate::-1
        """;
    assertTrue(r.body().startsWith(alpha), r.body());
    String backend = r.body().substring(alpha.length());
    assertTrue(backend.startsWith("""
        backend::observability_name::backend
        backend::default_priority::max_connections::100
        backend::default_priority::max_pending_requests::1024
        backend::default_priority::max_requests::1024
        backend::default_priority::max_retries::5
        backend::high_priority::max_connections::1024
        backend::high_priority::max_pending_requests::1024
        backend::high_priority::max_requests::1024
        backend::high_priority::max_retries::7
        backend::added_via_api::false
        backend::127.0.0.1:1234::cx_active::0
        backend::127.0.0.1:1234::cx_connect_fail::0
        backend::127.0.0.1:1234::cx_total::0
        backend::127.0.0.1:1234::rq_active::0
        backend::127.0.0.1:1234::rq_error::0
        backend::127.0.0.1:1234::rq_success::1
        backend::127.0.0.1:1234::rq_timeout::0
        backend::127.0.0.1:1234::rq_total::1
        backend::127.0.0.1:1234::hostname::be1
        backend::127.0.0.1:1234::health_flags::healthy
        backend::127.0.0.1:1234::weight::1
        backend::127.0.0.1:1234::region::eu
        backend::127.0.0.1:1234::zone::eu-1
        backend::127.0.0.1:1234::sub_zone::a
        """), backend);
    assertTrue(backend.contains("backend::127.0.0.1:1235::health_flags::/degraded_eds_health\n"
        + "backend::127.0.0.1:1235::weight::3\n"), backend);
    assertTrue(backend.endsWith("backend::127.0.0.1:1235::local_origin_success_rate::-1\n"), backend);
  }

  @Test
  void clustersJson() throws Exception {
    HttpResponse<String> r = get("/clusters?format=json");
    assertEquals(200, r.statusCode());
    assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
    Clusters clusters = parse(r.body(), Clusters.newBuilder()).build();
    assertEquals(List.of("alpha", "backend"),
        clusters.getClusterStatusesList().stream().map(c -> c.getName()).toList());
    var backend = clusters.getClusterStatuses(1);
    assertEquals("backend", backend.getObservabilityName());
    assertFalse(backend.getAddedViaApi());
    assertEquals(RoutingPriority.DEFAULT, backend.getCircuitBreakers().getThresholds(0).getPriority());
    assertEquals(100, backend.getCircuitBreakers().getThresholds(0).getMaxConnections().getValue());
    assertEquals(RoutingPriority.HIGH, backend.getCircuitBreakers().getThresholds(1).getPriority());
    assertEquals(7, backend.getCircuitBreakers().getThresholds(1).getMaxRetries().getValue());
    var host = backend.getHostStatuses(1);
    assertEquals("127.0.0.1", host.getAddress().getSocketAddress().getAddress());
    assertEquals(1235, host.getAddress().getSocketAddress().getPortValue());
    assertEquals(3, host.getWeight());
    assertEquals(HealthStatus.DEGRADED, host.getHealthStatus().getEdsHealthStatus());
    assertEquals("eu-1", host.getLocality().getZone());
    assertEquals(List.of("cx_connect_fail", "cx_total", "rq_error", "rq_success", "rq_timeout", "rq_total",
        "cx_active", "rq_active"), host.getStatsList().stream().map(SimpleMetric::getName).toList());
    assertEquals(SimpleMetric.Type.GAUGE, host.getStats(7).getType());
    // Envoy's layout: arrays open on their own line, one-space indents, defaults left out.
    assertTrue(r.body().startsWith("{\n \"cluster_statuses\": [\n  {\n   \"name\": \"alpha\",\n"
        + "   \"host_statuses\": [\n    {\n     \"address\": {\n      \"socket_address\": {\n"), r.body());
    assertTrue(r.body().contains("\"priority\": \"HIGH\""), r.body());
    assertTrue(r.body().contains("{\n       \"name\": \"cx_connect_fail\"\n      }"), r.body());
  }

  @Test
  void clustersAddedAtRunTimeAreShownAsAddedViaApi() throws Exception {
    Cluster proto = Cluster.newBuilder()
        .setName("cds_cluster")
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(2))
        .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName("cds_cluster")
            .addEndpoints(io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints.newBuilder()
                .setPriority(1)
                .addLbEndpoints(io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint.newBuilder()
                    .setHealthStatus(HealthStatus.UNHEALTHY)
                    .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                        .setAddress(io.envoyproxy.envoy.config.core.v3.Address.newBuilder()
                            .setSocketAddress(io.envoyproxy.envoy.config.core.v3.SocketAddress.newBuilder()
                                .setAddress("10.0.0.9").setPortValue(8080)))))))
        .build();
    var parseContext = new dev.xdsdp.xds.resource.ParseContext(
        BuiltinExtensions.create(server.clusterManager(), (v, rq, rs, i) -> v, List.of()), stats, bootstrap.getNode(),
        false, new dev.xdsdp.xds.resource.ConfigIssues(), UnaryOperator.identity());
    server.clusterManager().addOrUpdate(dev.xdsdp.xds.resource.cluster.ClusterResourceType.parse(proto, parseContext));
    try {
      String text = get("/clusters").body();
      assertTrue(text.contains("cds_cluster::added_via_api::true\n"
          + "cds_cluster::10.0.0.9:8080::cx_active::0\n"), text);
      assertTrue(text.contains("cds_cluster::10.0.0.9:8080::health_flags::/failed_eds_health\n"), text);
      assertTrue(text.contains("cds_cluster::10.0.0.9:8080::priority::1\n"), text);
      Clusters json = parse(get("/clusters?format=json").body(), Clusters.newBuilder()).build();
      assertTrue(json.getClusterStatusesList().stream()
          .anyMatch(c -> c.getName().equals("cds_cluster") && c.getAddedViaApi()));

      ConfigDump dump = parse(get("/config_dump?include_eds").body(), ConfigDump.newBuilder()).build();
      ClustersConfigDump clusters = dump.getConfigs(1).unpack(ClustersConfigDump.class);
      assertEquals(2, clusters.getStaticClustersCount());
      assertEquals(proto, unpack(clusters.getDynamicActiveClusters(0).getCluster(), Cluster.class));
      EndpointsConfigDump eds = dump.getConfigs(2).unpack(EndpointsConfigDump.class);
      ClusterLoadAssignment cla = unpack(eds.getDynamicEndpointConfigs(0).getEndpointConfig(),
          ClusterLoadAssignment.class);
      assertEquals("cds_cluster", cla.getClusterName());
      assertEquals(1, cla.getEndpoints(0).getPriority());
      assertEquals(HealthStatus.UNHEALTHY, cla.getEndpoints(0).getLbEndpoints(0).getHealthStatus());
    } finally {
      server.clusterManager().remove("cds_cluster");
    }
    assertFalse(get("/clusters").body().contains("cds_cluster"));
  }

  @Test
  void listenersTextAndJson() throws Exception {
    int ingress = server.listenerPort("ingress");
    int second = server.listenerPort("second");
    HttpResponse<String> text = get("/listeners");
    assertEquals("ingress::127.0.0.1:" + ingress + "\nsecond::127.0.0.1:" + second + "\n", text.body());
    HttpResponse<String> json = get("/listeners?format=json");
    assertEquals("application/json", json.headers().firstValue("content-type").orElse(""));
    Listeners l = parse(json.body(), Listeners.newBuilder()).build();
    assertEquals("ingress", l.getListenerStatuses(0).getName());
    assertEquals(ingress, l.getListenerStatuses(0).getLocalAddress().getSocketAddress().getPortValue());
    assertEquals("127.0.0.1", l.getListenerStatuses(1).getLocalAddress().getSocketAddress().getAddress());
  }

  @Test
  void drainListenersPassesTheFlags() throws Exception {
    HttpResponse<String> r = post("/drain_listeners?inboundonly&graceful");
    assertEquals(200, r.statusCode());
    assertEquals("OK\n", r.body());
    assertEquals(List.of("drain inboundOnly=true graceful=true skipExit=false"), context.actions);
  }

  @Test
  void quitQuitQuitAnswersThenShutsDown() throws Exception {
    HttpResponse<String> r = post("/quitquitquit");
    assertEquals(200, r.statusCode());
    assertEquals("OK\n", r.body());
    assertTrue(context.shutdown.await(10, TimeUnit.SECONDS));
  }

  @Test
  void reopenLogs() throws Exception {
    assertEquals("OK\n", post("/reopen_logs").body());
    assertEquals(List.of("reopen_logs"), context.actions);
  }

  @Test
  void configDumpHasEnvoysSectionsInOrder() throws Exception {
    HttpResponse<String> r = get("/config_dump");
    assertEquals(200, r.statusCode());
    assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
    assertTrue(r.body().startsWith("{\n \"configs\": [\n  {\n   \"@type\": "
        + "\"type.googleapis.com/envoy.admin.v3.BootstrapConfigDump\",\n   \"bootstrap\": {\n"), r.body());
    ConfigDump dump = parse(r.body(), ConfigDump.newBuilder()).build();
    assertEquals(List.of("BootstrapConfigDump", "ClustersConfigDump", "ListenersConfigDump", "ScopedRoutesConfigDump",
        "RoutesConfigDump", "SecretsConfigDump"), typeNames(dump));

    BootstrapConfigDump bootstrapDump = dump.getConfigs(0).unpack(BootstrapConfigDump.class);
    assertEquals("node-1", bootstrapDump.getBootstrap().getNode().getId());
    assertEquals(LOADED.getEpochSecond(), bootstrapDump.getLastUpdated().getSeconds());
    assertEquals(789_000_000, bootstrapDump.getLastUpdated().getNanos());
    assertTrue(r.body().contains("\"last_updated\": \"2025-01-02T03:04:06.789Z\""), r.body());

    ClustersConfigDump clusters = dump.getConfigs(1).unpack(ClustersConfigDump.class);
    assertEquals(List.of("alpha", "backend"), clusters.getStaticClustersList().stream()
        .map(s -> unpack(s.getCluster(), Cluster.class).getName()).toList());
    assertEquals(bootstrap.getStaticResources().getClusters(0),
        unpack(clusters.getStaticClusters(1).getCluster(), Cluster.class));
    assertTrue(clusters.getStaticClusters(0).hasLastUpdated());

    ListenersConfigDump listeners = dump.getConfigs(2).unpack(ListenersConfigDump.class);
    assertEquals(List.of("ingress", "second"), listeners.getStaticListenersList().stream()
        .map(s -> unpack(s.getListener(), Listener.class).getName()).toList());

    RoutesConfigDump routes = dump.getConfigs(4).unpack(RoutesConfigDump.class);
    assertEquals(List.of("local_route", "other_route"), routes.getStaticRouteConfigsList().stream()
        .map(s -> unpack(s.getRouteConfig(), RouteConfiguration.class).getName()).toList());

    // Secrets are redacted, in the bootstrap and in the secrets section.
    SecretsConfigDump secrets = dump.getConfigs(5).unpack(SecretsConfigDump.class);
    Secret secret = unpack(secrets.getStaticSecrets(0).getSecret(), Secret.class);
    assertEquals("server_cert", secrets.getStaticSecrets(0).getName());
    assertEquals("[redacted]", secret.getTlsCertificate().getPrivateKey().getInlineString());
    assertEquals("CERTIFICATE", secret.getTlsCertificate().getCertificateChain().getInlineString());
    assertEquals("[redacted]", bootstrapDump.getBootstrap().getStaticResources().getSecrets(0).getTlsCertificate()
        .getPrivateKey().getInlineString());
    assertFalse(r.body().contains("VERY-SECRET-KEY"));
  }

  @Test
  void configDumpIncludeEdsShowsHostsAsTheyAre() throws Exception {
    ConfigDump dump = parse(get("/config_dump?include_eds").body(), ConfigDump.newBuilder()).build();
    assertEquals(List.of("BootstrapConfigDump", "ClustersConfigDump", "EndpointsConfigDump", "ListenersConfigDump",
        "ScopedRoutesConfigDump", "RoutesConfigDump", "SecretsConfigDump"), typeNames(dump));
    EndpointsConfigDump eds = dump.getConfigs(2).unpack(EndpointsConfigDump.class);
    ClusterLoadAssignment backend = unpack(eds.getStaticEndpointConfigs(1).getEndpointConfig(),
        ClusterLoadAssignment.class);
    assertEquals("backend", backend.getClusterName());
    assertEquals(140, backend.getPolicy().getOverprovisioningFactor().getValue());
    assertEquals("eu", backend.getEndpoints(0).getLocality().getRegion());
    var first = backend.getEndpoints(0).getLbEndpoints(0);
    assertEquals(1234, first.getEndpoint().getAddress().getSocketAddress().getPortValue());
    assertEquals("be1", first.getEndpoint().getHostname());
    assertEquals(HealthStatus.HEALTHY, first.getHealthStatus());
    assertEquals(1, first.getLoadBalancingWeight().getValue());
    assertEquals(HealthStatus.DEGRADED, backend.getEndpoints(0).getLbEndpoints(1).getHealthStatus());
    assertEquals(3, backend.getEndpoints(0).getLbEndpoints(1).getLoadBalancingWeight().getValue());
  }

  @Test
  void configDumpMaskAppliesToTheSectionsItFits() throws Exception {
    HttpResponse<String> r = get("/config_dump?mask=static_clusters");
    ConfigDump dump = parse(r.body(), ConfigDump.newBuilder()).build();
    assertEquals(List.of("ClustersConfigDump"), typeNames(dump));
    assertEquals(2, dump.getConfigs(0).unpack(ClustersConfigDump.class).getStaticClustersCount());

    dump = parse(get("/config_dump?mask=static_listeners,version_info").body(), ConfigDump.newBuilder()).build();
    assertEquals(List.of("ListenersConfigDump"), typeNames(dump));
    // Every path must fit a section: paths of two sections fit none.
    assertEquals(400, get("/config_dump?mask=static_listeners,static_route_configs").statusCode());

    HttpResponse<String> bad = get("/config_dump?mask=no_such_field");
    assertEquals(400, bad.statusCode());
    assertEquals("FieldMask no_such_field could not be successfully applied to any configs.", bad.body());
  }

  @Test
  void configDumpResourceAndMaskReachIntoTheAny() throws Exception {
    ConfigDump dump = parse(get("/config_dump?resource=static_clusters&mask=cluster.name,cluster.type").body(),
        ConfigDump.newBuilder()).build();
    assertEquals(List.of("ClustersConfigDump.StaticCluster", "ClustersConfigDump.StaticCluster"), typeNames(dump));
    ClustersConfigDump.StaticCluster alpha = dump.getConfigs(0).unpack(ClustersConfigDump.StaticCluster.class);
    assertFalse(alpha.hasLastUpdated());
    assertEquals(Cluster.newBuilder().setName("alpha").setType(Cluster.DiscoveryType.STATIC).build(),
        unpack(alpha.getCluster(), Cluster.class));

    dump = parse(get("/config_dump?resource=static_listeners&name_regex=sec.*").body(), ConfigDump.newBuilder())
        .build();
    assertEquals(1, dump.getConfigsCount());
    assertEquals("second", unpack(dump.getConfigs(0).unpack(ListenersConfigDump.StaticListener.class).getListener(),
        Listener.class).getName());

    HttpResponse<String> notRepeated = get("/config_dump?resource=bootstrap");
    assertEquals(400, notRepeated.statusCode());
    assertEquals("bootstrap is not a repeated field. Use ?mask=bootstrap to get only this field", notRepeated.body());
    HttpResponse<String> missing = get("/config_dump?resource=nothing_here");
    assertEquals(404, missing.statusCode());
    assertEquals("nothing_here not found in config dump", missing.body());
    HttpResponse<String> badMask = get("/config_dump?resource=static_clusters&mask=cluster.nope");
    assertEquals(400, badMask.statusCode());
    assertEquals("FieldMask paths: \"cluster.nope\"\n could not be successfully used.", badMask.body());
  }

  @Test
  void configDumpNameRegex() throws Exception {
    ConfigDump dump = parse(get("/config_dump?name_regex=alp.*").body(), ConfigDump.newBuilder()).build();
    ClustersConfigDump clusters = dump.getConfigs(1).unpack(ClustersConfigDump.class);
    assertEquals(1, clusters.getStaticClustersCount());
    // A full match: "lpha" does not match "alpha".
    dump = parse(get("/config_dump?name_regex=lpha").body(), ConfigDump.newBuilder()).build();
    assertEquals(0, dump.getConfigs(1).unpack(ClustersConfigDump.class).getStaticClustersCount());
    // The bootstrap ignores the filter.
    assertTrue(dump.getConfigs(0).unpack(BootstrapConfigDump.class).hasBootstrap());
    HttpResponse<String> bad = get("/config_dump?name_regex=(");
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().startsWith("INVALID_ARGUMENT: Error while parsing name_regex from (: "), bad.body());
  }

  @Test
  void configTrackerSourcesJoinTheDumpInKeyOrder() throws Exception {
    try (ConfigTracker.Entry e = tracker.add(ConfigTracker.ECDS_FILTER_HTTP,
        m -> io.envoyproxy.envoy.admin.v3.EcdsConfigDump.getDefaultInstance())) {
      ConfigDump dump = parse(get("/config_dump").body(), ConfigDump.newBuilder()).build();
      assertEquals(List.of("BootstrapConfigDump", "ClustersConfigDump", "EcdsConfigDump", "ListenersConfigDump",
          "ScopedRoutesConfigDump", "RoutesConfigDump", "SecretsConfigDump"), typeNames(dump));
    }
    assertEquals(6, parse(get("/config_dump").body(), ConfigDump.newBuilder()).getConfigsCount());
  }

  @Test
  void loggingListsAndChangesLevels() throws Exception {
    Logging.setAllLevels(Options.LogLevel.INFO);
    HttpResponse<String> list = post("/logging");
    assertEquals(200, list.statusCode());
    assertTrue(list.body().startsWith("active loggers:\n  admin: info\n  alternate_protocols_cache: info\n"),
        list.body());
    assertTrue(list.body().endsWith("  xds: info\n\n"), list.body());

    HttpResponse<String> one = post("/logging?upstream=debug");
    assertEquals(200, one.statusCode());
    assertTrue(one.body().contains("\n  upstream: debug\n"), one.body());
    assertEquals(Options.LogLevel.DEBUG, Logging.levels().get("upstream"));

    post("/logging?paths=router:trace,http:error");
    assertEquals(Options.LogLevel.TRACE, Logging.levels().get("router"));
    assertEquals(Options.LogLevel.ERROR, Logging.levels().get("http"));

    post("/logging?level=warning");
    assertEquals(Options.LogLevel.WARNING, Logging.levels().get("router"));
    assertEquals(Options.LogLevel.WARNING, Logging.levels().get("main"));

    HttpResponse<String> unknown = post("/logging?paths=router:debug,nosuch:debug");
    assertEquals(400, unknown.statusCode());
    assertTrue(unknown.body().startsWith("""
        error: unknown logger name

        usage: /logging?<name>=<level> (change single level)
        usage: /logging?paths=name1:level1,name2:level2,... (change multiple levels)
        usage: /logging?level=<level> (change all levels)
        levels: trace debug info warning error critical off\s
        active loggers:
        """), unknown.body());
    // Nothing changed: the request is all or nothing.
    assertEquals(Options.LogLevel.WARNING, Logging.levels().get("router"));
    assertTrue(post("/logging?level=warn").body().startsWith("error: unknown logger level\n"));
    assertTrue(post("/logging?level=info&upstream=info").body().startsWith("error: invalid number of parameters\n"));
    assertTrue(post("/logging?paths=router").body().startsWith("error: empty logger name or empty logger level\n"));

    // Parameters may come as a form body.
    HttpResponse<String> form = http.send(HttpRequest.newBuilder(uri("/logging"))
        .header("content-type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("level=error")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, form.statusCode());
    assertEquals(Options.LogLevel.ERROR, Logging.levels().get("admin"));
  }

  @Test
  void memoryRuntimeCertsInitDumpAndHotRestartVersion() throws Exception {
    Memory memory = parse(get("/memory").body(), Memory.newBuilder()).build();
    assertTrue(memory.getAllocated() > 0);
    assertTrue(memory.getHeapSize() >= memory.getAllocated());
    assertTrue(get("/memory").body().contains("\"total_thread_cache\": \"0\""));
    assertEquals("{\n \"entries\": {},\n \"layers\": []\n}", get("/runtime").body());
    assertEquals("{\n \"certificates\": []\n}", get("/certs").body());
    assertEquals("{}", get("/init_dump").body());
    assertEquals("disabled", get("/hot_restart_version").body());
  }

  static List<String> typeNames(ConfigDump dump) {
    return dump.getConfigsList().stream()
        .map(a -> a.getTypeUrl().substring(a.getTypeUrl().lastIndexOf('/') + 1).replace("envoy.admin.v3.", ""))
        .toList();
  }

  static <T extends Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
