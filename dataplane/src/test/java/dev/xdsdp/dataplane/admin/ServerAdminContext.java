package dev.xdsdp.dataplane.admin;

import dev.xdsdp.dataplane.listener.ActiveListener;
import dev.xdsdp.dataplane.server.Options;
import dev.xdsdp.dataplane.server.Server;
import dev.xdsdp.dataplane.stats.StatsStore;
import dev.xdsdp.dataplane.upstream.ClusterManager;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * An {@link AdminContext} over a real running {@link Server}, the way the server itself is meant
 * to implement it: state flags held here, reads delegated to the server, actions recorded so the
 * tests can see them.
 */
final class ServerAdminContext implements AdminContext {

  private final Server server;
  private final Bootstrap bootstrap;
  private final StatsStore stats;
  private final Options options;
  private final Clock clock;
  private final Instant startTime;
  private final Instant loadedAt;
  volatile InitState initState = InitState.INITIALIZED;
  volatile boolean healthCheckFailed;
  final CountDownLatch shutdown = new CountDownLatch(1);
  final List<String> actions = new CopyOnWriteArrayList<>();

  ServerAdminContext(Server server, Bootstrap bootstrap, StatsStore stats, Options options, Clock clock,
      Instant startTime, Instant loadedAt) {
    this.server = server;
    this.bootstrap = bootstrap;
    this.stats = stats;
    this.options = options;
    this.clock = clock;
    this.startTime = startTime;
    this.loadedAt = loadedAt;
  }

  @Override
  public String version() {
    return "0123456789abcdef/1.36.0-dev/Clean/RELEASE/JDK";
  }

  @Override
  public InitState initState() {
    return initState;
  }

  @Override
  public boolean healthCheckFailed() {
    return healthCheckFailed;
  }

  @Override
  public Instant startTime() {
    return startTime;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public Options options() {
    return options;
  }

  @Override
  public Node node() {
    return bootstrap.getNode();
  }

  @Override
  public Bootstrap bootstrap() {
    return bootstrap;
  }

  @Override
  public Instant configLoadedAt() {
    return loadedAt;
  }

  @Override
  public ClusterManager clusterManager() {
    return server.clusterManager();
  }

  @Override
  public List<ActiveListener> listeners() {
    // The server keeps them by name; the bootstrap gives the order they were added in.
    Map<String, ActiveListener> byName = server.listeners();
    List<ActiveListener> ordered = new ArrayList<>();
    for (var l : bootstrap.getStaticResources().getListenersList()) {
      ActiveListener active = byName.get(l.getName());
      if (active != null) {
        ordered.add(active);
      }
    }
    return ordered;
  }

  @Override
  public StatsStore statsStore() {
    return stats;
  }

  @Override
  public void shutdown() {
    actions.add("shutdown");
    shutdown.countDown();
  }

  @Override
  public void setHealthCheckFailed(boolean failed) {
    healthCheckFailed = failed;
  }

  @Override
  public void drainListeners(boolean inboundOnly, boolean graceful, boolean skipExit) {
    actions.add("drain inboundOnly=" + inboundOnly + " graceful=" + graceful + " skipExit=" + skipExit);
  }

  @Override
  public void reopenLogs() {
    actions.add("reopen_logs");
  }
}
