package dev.xdsdp.dataplane.http;

import dev.xdsdp.api.accesslog.AccessLogger;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.xds.resource.listener.HcmConfig;
import dev.xdsdp.xds.resource.route.RouteTableConfig;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One filter chain's HTTP connection manager ({@code envoy.filters.network.http_connection_manager}):
 * immutable config, its route table source, filter chain and stats. Shared by all event loops;
 * per-request state lives in {@link ActiveStream}.
 */
public final class HttpConnectionManager {

  private static final AtomicLong STREAM_IDS = new AtomicLong();

  private final HcmConfig config;
  private final String listenerName;
  private final Supplier<RouteTableConfig> routes;
  private final FilterChainFactory filterChain;
  private final HcmStats stats;
  private final List<AccessLogger> accessLogs;
  private final int bufferLimit;

  /**
   * @param routes the current route table (inline, or the latest RDS one); a stream keeps the table
   *     it started with
   * @param bufferLimit the listener's {@code per_connection_buffer_limit_bytes}: how much body a
   *     stream's filters may hold (Envoy's connection manager takes it from its connection)
   */
  public HttpConnectionManager(
      HcmConfig config,
      String listenerName,
      String listenerStatPrefix,
      Supplier<RouteTableConfig> routes,
      FilterChainFactory filterChain,
      StatsScope stats,
      int bufferLimit) {
    this.config = config;
    this.bufferLimit = bufferLimit;
    this.listenerName = listenerName;
    this.routes = routes;
    this.filterChain = filterChain;
    this.stats = new HcmStats(stats, config.statPrefix(), listenerStatPrefix);
    this.accessLogs = config.accessLogs();
  }

  public HcmConfig config() {
    return config;
  }

  public HcmStats stats() {
    return stats;
  }

  int bufferLimit() {
    return bufferLimit;
  }

  String listenerName() {
    return listenerName;
  }

  RouteTableConfig currentRoutes() {
    return routes.get();
  }

  FilterChainFactory filterChain() {
    return filterChain;
  }

  List<AccessLogger> accessLogs() {
    return accessLogs;
  }

  /** Handles one request on its connection's event loop. */
  public void onRequest(HttpServerRequest request, DownstreamConnection connection) {
    new ActiveStream(this, request, connection, STREAM_IDS.incrementAndGet()).start();
  }
}
