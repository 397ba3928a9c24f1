package dev.xdsdp.dataplane.server;

import dev.xdsdp.dataplane.admin.AdminContext;
import dev.xdsdp.dataplane.listener.ActiveListener;
import dev.xdsdp.dataplane.stats.StatsStore;
import dev.xdsdp.dataplane.upstream.ClusterManager;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the admin endpoints read from and do to the running {@link Server}. */
final class ServerAdminContext implements AdminContext {

  /** Our build, in the slot Envoy fills with {@code <sha>/<version>/<status>/<type>/<ssl>}. */
  static final String VERSION = "xdsdp/0.1.0-SNAPSHOT/Clean/RELEASE/JDK-25";

  private final Server server;
  private final Options options;
  private final Instant loadedAt = Instant.now();

  ServerAdminContext(Server server, Options options) {
    this.server = server;
    this.options = options;
  }

  @Override
  public String version() {
    return VERSION;
  }

  @Override
  public InitState initState() {
    return switch (server.state()) {
      case PRE_INITIALIZING -> InitState.UNINITIALIZED;
      case INITIALIZING -> InitState.INITIALIZING;
      case LIVE, DRAINING -> InitState.INITIALIZED;
    };
  }

  @Override
  public boolean healthCheckFailed() {
    return server.healthCheckFailed() || server.state() == ServerState.DRAINING;
  }

  @Override
  public Instant startTime() {
    return server.startTime();
  }

  @Override
  public Options options() {
    return options;
  }

  @Override
  public Node node() {
    return server.settings().node();
  }

  @Override
  public Bootstrap bootstrap() {
    return server.bootstrap().toBuilder().setNode(server.settings().node()).build();
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
    // Static listeners in bootstrap order, then dynamic ones by name.
    Map<String, ActiveListener> byName = server.listeners();
    List<ActiveListener> ordered = new ArrayList<>();
    for (var l : server.bootstrap().getStaticResources().getListenersList()) {
      ActiveListener active = byName.get(l.getName());
      if (active != null) {
        ordered.add(active);
      }
    }
    byName.keySet().stream().sorted()
        .filter(name -> !server.listenerManager().isStatic(name))
        .forEach(name -> ordered.add(byName.get(name)));
    return ordered;
  }

  @Override
  public StatsStore statsStore() {
    return (StatsStore) server.stats();
  }

  @Override
  public void shutdown() {
    server.requestShutdown();
  }

  @Override
  public void setHealthCheckFailed(boolean failed) {
    server.setHealthCheckFailed(failed);
  }

  @Override
  public void drainListeners(boolean inboundOnly, boolean graceful, boolean skipExit) {
    Duration drain = graceful ? server.settings().drainTime() : Duration.ZERO;
    server.drainListeners(drain, inboundOnly);
    if (graceful && !skipExit) {
      // Envoy exits once a graceful drain has run its course, unless told to stay.
      server.vertx().setTimer(Math.max(1, drain.toMillis()), id -> server.requestShutdown());
    }
  }

  @Override
  public void reopenLogs() {
    if (server.accessLogFiles() != null) {
      server.accessLogFiles().reopen();
    }
  }
}
