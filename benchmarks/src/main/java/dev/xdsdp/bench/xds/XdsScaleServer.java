package dev.xdsdp.bench.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The control plane of the xDS scale figure ({@code benchmarks/06-xds-scale.sh}): java-control-plane's
 * {@link V3DiscoveryServer} (ADS, state of the world and delta) over a {@link SimpleCache} keyed by
 * node id, so that every data plane the script starts gets its own snapshot, or none until the
 * script pushes one. Three servers, all on 127.0.0.1:
 *
 * <ul>
 *   <li>the ADS gRPC server ({@code --xds-port});
 *   <li>a control endpoint for the script ({@code --control-port}):
 *       {@code GET /snapshot?group=&clusters=&vhosts=&routes=&listener_port=&routes_version=} builds a
 *       snapshot and sets it for the node id {@code group}, answering {@code build_ms=.. set_ms=..
 *       set_at_ms=.. resources=..}; {@code GET /clear?group=} drops a group's snapshot;
 *   <li>the upstream every cluster's endpoints point at ({@code --upstream-port}): answers 200 with
 *       {@code bench-upstream <path>}.
 * </ul>
 *
 * <p>A snapshot has {@code clusters} EDS clusters {@code c0000..} (each with a
 * ClusterLoadAssignment of the upstream), one listener {@code bench} on {@code listener_port} whose
 * HTTP connection manager (stat prefix {@code bench}) takes route configuration {@code bench_routes}
 * by RDS, and that route configuration: {@code vhosts} virtual hosts {@code vh<j>.bench} with
 * {@code routes} prefix routes {@code /v<routes_version>/r<k>/} each, spread over the clusters.
 * Clusters, endpoints and the listener are at version 1; routes at {@code routes_version}, so a
 * second push with a new {@code routes_version} changes every route and nothing else. The time to
 * build the protos and the snapshot ({@code build_ms}) is the control plane's, measured here so the
 * script does not charge it to the data plane; {@code set_at_ms} is the wall-clock moment just
 * before {@code setSnapshot} (which answers open watches on the calling thread, {@code set_ms}).
 *
 * <p>Prints {@code READY xds=<port> control=<port> upstream=<port>} on stdout once all three listen.
 */
public final class XdsScaleServer {

  private final SimpleCache<String> cache = new SimpleCache<>(node -> node.getId());
  private int upstreamPort;

  private XdsScaleServer() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
      }
      opts.put(args[i].substring(2), args[i + 1]);
    }
    new XdsScaleServer().run(
        Boolean.parseBoolean(opts.getOrDefault("verbose", "false")),
        Integer.parseInt(opts.getOrDefault("xds-port", "0")),
        Integer.parseInt(opts.getOrDefault("control-port", "0")),
        Integer.parseInt(opts.getOrDefault("upstream-port", "0")));
  }

  private void run(boolean verbose, int xdsPort, int controlPort, int upstreamPortWanted) throws Exception {
    HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", upstreamPortWanted), 128);
    upstream.createContext("/", this::upstream);
    upstream.setExecutor(Executors.newFixedThreadPool(2));
    upstream.start();
    upstreamPort = upstream.getAddress().getPort();

    V3DiscoveryServer discovery = verbose ? new V3DiscoveryServer(new Trace(), cache) : new V3DiscoveryServer(cache);
    Server grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", xdsPort))
        .addService(discovery.getAggregatedDiscoveryServiceImpl())
        .maxInboundMessageSize(64 * 1024 * 1024)
        .build()
        .start();
    int grpcPort = ((InetSocketAddress) grpc.getListenSockets().getFirst()).getPort();

    HttpServer control = HttpServer.create(new InetSocketAddress("127.0.0.1", controlPort), 16);
    control.createContext("/snapshot", ex -> handle(ex, this::snapshot));
    control.createContext("/clear", ex -> handle(ex, q -> "cleared=" + cache.clearSnapshot(q.get("group")) + "\n"));
    control.setExecutor(Executors.newSingleThreadExecutor());
    control.start();

    System.out.printf("READY xds=%d control=%d upstream=%d%n", grpcPort, control.getAddress().getPort(), upstreamPort);
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      control.stop(0);
      upstream.stop(0);
      grpc.shutdownNow();
    }));
    grpc.awaitTermination();
  }

  /** {@code --verbose true}: one line per request and response on stderr, to see the protocol. */
  private static final class Trace implements DiscoveryServerCallbacks {
    @Override
    public void onV3StreamRequest(long stream, DiscoveryRequest r) {
      System.err.printf("%d sotw request %s version=%s nonce=%s names=%d nack=%s%n", stream, r.getTypeUrl(),
          r.getVersionInfo(), r.getResponseNonce(), r.getResourceNamesCount(), r.hasErrorDetail());
    }

    @Override
    public void onV3StreamDeltaRequest(long stream, DeltaDiscoveryRequest r) {
      System.err.printf("%d delta request %s nonce=%s subscribe=%d unsubscribe=%d initial=%d nack=%s%n", stream,
          r.getTypeUrl(), r.getResponseNonce(), r.getResourceNamesSubscribeCount(),
          r.getResourceNamesUnsubscribeCount(), r.getInitialResourceVersionsCount(), r.hasErrorDetail());
    }

    @Override
    public void onV3StreamResponse(long stream, DiscoveryRequest r, DiscoveryResponse resp) {
      System.err.printf("%d sotw response %s version=%s nonce=%s resources=%d%n", stream, resp.getTypeUrl(),
          resp.getVersionInfo(), resp.getNonce(), resp.getResourcesCount());
    }

    @Override
    public void onV3StreamDeltaResponse(long stream, DeltaDiscoveryRequest r, DeltaDiscoveryResponse resp) {
      System.err.printf("%d delta response %s nonce=%s resources=%d removed=%d%n", stream, resp.getTypeUrl(),
          resp.getNonce(), resp.getResourcesCount(), resp.getRemovedResourcesCount());
    }
  }

  private void upstream(HttpExchange ex) throws IOException {
    try (ex) {
      ex.getRequestBody().readAllBytes();
      byte[] body = ("bench-upstream " + ex.getRequestURI().getPath() + "\n").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("content-type", "text/plain");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private interface Action {
    String apply(Map<String, String> query) throws Exception;
  }

  private static void handle(HttpExchange ex, Action action) throws IOException {
    try (ex) {
      int status = 200;
      String body;
      try {
        body = action.apply(query(ex.getRequestURI()));
      } catch (Exception e) {
        status = 400;
        body = "error: " + e + "\n";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> q = new HashMap<>();
    String raw = uri.getRawQuery();
    if (raw == null) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return q;
  }

  private static int intParam(Map<String, String> q, String name) {
    String v = q.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing parameter " + name);
    }
    return Integer.parseInt(v);
  }

  private String snapshot(Map<String, String> q) {
    String group = q.get("group");
    if (group == null || group.isEmpty()) {
      throw new IllegalArgumentException("missing parameter group");
    }
    int clusters = intParam(q, "clusters");
    int vhosts = intParam(q, "vhosts");
    int routes = intParam(q, "routes");
    int listenerPort = intParam(q, "listener_port");
    int routesVersion = intParam(q, "routes_version");

    long t0 = System.nanoTime();
    Snapshot snapshot = build(clusters, vhosts, routes, listenerPort, routesVersion);
    long built = System.nanoTime();
    long setAt = System.currentTimeMillis();
    cache.setSnapshot(group, snapshot);
    long set = System.nanoTime();
    return String.format("build_ms=%.1f set_ms=%.1f set_at_ms=%d resources=%d%n",
        (built - t0) / 1e6, (set - built) / 1e6, setAt, clusters * 2 + 2);
  }

  private static String clusterName(int i) {
    return String.format("c%04d", i);
  }

  private static ConfigSource ads() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .setInitialFetchTimeout(Duration.newBuilder().setSeconds(0))
        .build();
  }

  private Snapshot build(int clusterCount, int vhosts, int routesPerVhost, int listenerPort, int routesVersion) {
    List<Cluster> clusters = new ArrayList<>(clusterCount);
    List<ClusterLoadAssignment> endpoints = new ArrayList<>(clusterCount);
    Address upstreamAddress = Address.newBuilder().setSocketAddress(
        SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(upstreamPort)).build();
    for (int i = 0; i < clusterCount; i++) {
      String name = clusterName(i);
      clusters.add(Cluster.newBuilder()
          .setName(name)
          .setType(Cluster.DiscoveryType.EDS)
          .setConnectTimeout(Duration.newBuilder().setSeconds(1))
          .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads()))
          .build());
      endpoints.add(ClusterLoadAssignment.newBuilder()
          .setClusterName(name)
          .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder()
              .setEndpoint(Endpoint.newBuilder().setAddress(upstreamAddress))))
          .build());
    }

    RouteConfiguration.Builder rc = RouteConfiguration.newBuilder().setName("bench_routes");
    int shift = routesVersion - 1;
    for (int j = 0; j < vhosts; j++) {
      VirtualHost.Builder vh = VirtualHost.newBuilder()
          .setName("vh" + j)
          .addDomains("vh" + j + ".bench");
      for (int k = 0; k < routesPerVhost; k++) {
        int target = Math.floorMod(j * routesPerVhost + k + shift, clusterCount);
        vh.addRoutes(Route.newBuilder()
            .setName("vh" + j + "-r" + k)
            .setMatch(RouteMatch.newBuilder().setPrefix("/v" + routesVersion + "/r" + k + "/"))
            .setRoute(RouteAction.newBuilder().setCluster(clusterName(target))));
      }
      rc.addVirtualHosts(vh);
    }

    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix("bench")
        .setRds(Rds.newBuilder().setRouteConfigName("bench_routes").setConfigSource(ads()))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
            .setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    Listener listener = Listener.newBuilder()
        .setName("bench")
        .setAddress(Address.newBuilder().setSocketAddress(
            SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(listenerPort)))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager")
            .setTypedConfig(Any.pack(hcm))))
        .build();

    // One version per type: clusters, endpoints and the listener never change between pushes
    // (SotW resends only the types whose version moved); routes carry routes_version.
    return Snapshot.create(clusters, "1", endpoints, "1", List.of(listener), "1",
        List.of(rc.build()), String.valueOf(routesVersion), List.of(), "1");
  }
}
