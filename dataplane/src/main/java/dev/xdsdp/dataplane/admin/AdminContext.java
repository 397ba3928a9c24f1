package dev.xdsdp.dataplane.admin;

import dev.xdsdp.dataplane.listener.ActiveListener;
import dev.xdsdp.dataplane.server.Options;
import dev.xdsdp.dataplane.stats.CounterImpl;
import dev.xdsdp.dataplane.stats.StatsStore;
import dev.xdsdp.dataplane.upstream.ClusterManager;
import io.envoyproxy.envoy.admin.v3.ServerInfo;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * What the admin server reads from the running data plane, and the actions it can ask of it. The
 * server implements this; the admin handlers know nothing else about it.
 *
 * <p>Every method is called on an admin worker thread (never an event loop), possibly from several
 * at once, so reads must be thread-safe and actions must return promptly: a long action (a drain,
 * a shutdown) is started here and carried on elsewhere.
 */
public interface AdminContext {

  /** Envoy's {@code Init::Manager::State} of the server's init manager. */
  enum InitState {
    /** Nothing has started initializing yet. */
    UNINITIALIZED,
    /** Waiting for init targets (first CDS/LDS responses, cluster warming). */
    INITIALIZING,
    /** Every init target is ready; the server is serving. */
    INITIALIZED
  }

  /** The version string of {@code /server_info}, Envoy's {@code <sha>/<version>/<status>/<build>/<ssl>}. */
  String version();

  InitState initState();

  /** Whether {@code /healthcheck/fail} (or a drain) has put the server into the failing state. */
  boolean healthCheckFailed();

  /**
   * Envoy's {@code Server::Utility::serverState}: the init state, with a failed health check
   * turning LIVE into DRAINING.
   */
  default ServerInfo.State serverState() {
    return switch (initState()) {
      case UNINITIALIZED -> ServerInfo.State.PRE_INITIALIZING;
      case INITIALIZING -> ServerInfo.State.INITIALIZING;
      case INITIALIZED -> healthCheckFailed() ? ServerInfo.State.DRAINING : ServerInfo.State.LIVE;
    };
  }

  /** When this process started serving (both uptimes count from here: there is no hot restart). */
  Instant startTime();

  /** The clock of uptimes and of {@code /config_dump} timestamps. */
  default Clock clock() {
    return Clock.systemUTC();
  }

  /** The parsed command line. */
  Options options();

  /** The local node as sent to control planes. */
  Node node();

  /** The bootstrap as {@code /config_dump} shows it (Envoy shows it with the node it completed). */
  Bootstrap bootstrap();

  /**
   * When the bootstrap was loaded and its static resources added: the {@code last_updated} of the
   * bootstrap and of the static clusters, listeners and route configurations in {@code /config_dump}.
   */
  Instant configLoadedAt();

  ClusterManager clusterManager();

  /** The active listeners, in the order they were added. */
  List<ActiveListener> listeners();

  StatsStore statsStore();

  // Actions.

  /**
   * Starts a graceful shutdown ({@code /quitquitquit}). Called after the admin response has been
   * sent; must not wait for the shutdown to finish.
   */
  void shutdown();

  /** {@code /healthcheck/fail} (true) and {@code /healthcheck/ok} (false). */
  void setHealthCheckFailed(boolean failed);

  /**
   * {@code /drain_listeners}: starts draining the listeners' connections and stops the listeners,
   * at once or after the drain time ({@code --drain-time-s}, {@code --drain-strategy}).
   *
   * @param inboundOnly only listeners whose {@code traffic_direction} is INBOUND
   * @param graceful keep accepting for the drain time before stopping the listeners
   * @param skipExit drain the connections but leave the listeners running
   */
  void drainListeners(boolean inboundOnly, boolean graceful, boolean skipExit);

  /** {@code /reset_counters}: every counter of the stats store back to zero. */
  default void resetCounters() {
    for (CounterImpl c : statsStore().counters()) {
      c.reset();
    }
  }

  /** {@code /reopen_logs}: reopens the access log files (after log rotation). */
  void reopenLogs();
}
