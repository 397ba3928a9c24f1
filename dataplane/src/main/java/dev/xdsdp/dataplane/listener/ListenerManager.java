package dev.xdsdp.dataplane.listener;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.dataplane.server.WorkerLoops;
import dev.xdsdp.xds.resource.listener.ListenerConfig;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All listeners, static and dynamic (Envoy's ListenerManager). Changes come from the main thread
 * only (startup, then each xDS snapshot); readers (admin) see consistent copies.
 *
 * <p>A changed listener with the same address is updated in place; one whose address changed gets
 * a new socket and the old one drains; a removed one drains: it stops accepting and its connections
 * close after {@code --drain-time-s}.
 */
public final class ListenerManager {

  private static final System.Logger LOG = System.getLogger("config");

  private final WorkerLoops loops;
  private final StatsScope stats;
  private final ChainFactories chainFactories;
  private final Duration drainTime;
  private final Map<String, ActiveListener> listeners = new ConcurrentHashMap<>();
  private final Set<String> staticNames = ConcurrentHashMap.newKeySet();
  private final Map<String, String> errors = new ConcurrentHashMap<>();
  private final List<ActiveListener> draining = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Counter added;
  private final Counter modified;
  private final Counter removed;
  private final Counter createSuccess;
  private final Counter createFailure;
  private final Counter inPlaceUpdated;
  private final Gauge totalActive;
  private final Gauge totalDraining;
  private final Gauge workersStarted;

  public ListenerManager(
      WorkerLoops loops,
      StatsScope stats,
      ChainFactories chainFactories,
      Duration drainTime) {
    this.loops = loops;
    this.stats = stats;
    this.chainFactories = chainFactories;
    this.drainTime = drainTime;
    StatsScope lm = stats.scope("listener_manager");
    added = lm.counter("listener_added");
    modified = lm.counter("listener_modified");
    removed = lm.counter("listener_removed");
    createSuccess = lm.counter("listener_create_success");
    createFailure = lm.counter("listener_create_failure");
    inPlaceUpdated = lm.counter("listener_in_place_updated");
    totalActive = lm.gauge("total_listeners_active");
    totalDraining = lm.gauge("total_listeners_draining");
    workersStarted = lm.gauge("workers_started");
  }

  /** Workers (event loops) are running and listeners accept: Istio's readiness probe reads this. */
  public void markWorkersStarted() {
    workersStarted.set(1);
  }

  public Map<String, ActiveListener> listeners() {
    return Map.copyOf(listeners);
  }

  public ActiveListener get(String name) {
    return listeners.get(name);
  }

  public boolean isStatic(String name) {
    return staticNames.contains(name);
  }

  /** The last failure to add or update a listener, by name (for {@code /config_dump}). */
  public Map<String, String> errors() {
    return Map.copyOf(errors);
  }

  /** Binds a bootstrap listener. */
  public Future<Void> addStatic(ListenerConfig config) {
    staticNames.add(config.name());
    return addNew(config);
  }

  private Future<Void> addNew(ListenerConfig config) {
    ActiveListener l = new ActiveListener(config, loops, stats, chainFactories);
    return l.start().onSuccess(v -> {
      listeners.put(config.name(), l);
      errors.remove(config.name());
      added.inc();
      createSuccess.inc();
      totalActive.set(listeners.size());
      LOG.log(System.Logger.Level.INFO, "listener ''{0}'' listening on {1}:{2}", config.name(),
          config.address().isPipe() ? config.address().pipePath() : config.address().host(), Integer.toString(l.port()));
    }).onFailure(e -> {
      createFailure.inc();
      errors.put(config.name(), e.getMessage());
      l.stop();
      LOG.log(System.Logger.Level.WARNING, "listener ''{0}'': {1}", config.name(), e.getMessage());
    });
  }

  /**
   * Makes the dynamic listeners match {@code desired}: adds new ones, updates changed ones, drains
   * removed ones. Static listeners are never touched; a dynamic listener with a static one's name is
   * refused. Completes when every new socket is bound (or failed; failures are in {@link #errors()}).
   */
  public Future<Void> applyDynamic(Map<String, ListenerConfig> desired) {
    List<Future<Void>> work = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ListenerConfig next : desired.values()) {
      String name = next.name();
      seen.add(name);
      if (staticNames.contains(name)) {
        errors.put(name, "error adding listener '" + name + "': listener with the same name is static");
        continue;
      }
      ActiveListener existing = listeners.get(name);
      if (existing == null) {
        work.add(addNew(next).otherwiseEmpty());
        continue;
      }
      if (existing.config().source().equals(next.source())) {
        continue;
      }
      modified.inc();
      if (existing.canUpdateInPlace(next)) {
        existing.updateInPlace(next, drainTime);
        inPlaceUpdated.inc();
        errors.remove(name);
        continue;
      }
      // A new socket is needed: bind it first, then drain the old one, as Envoy does.
      ActiveListener replacement = new ActiveListener(next, loops, stats, chainFactories);
      work.add(replacement.start().onSuccess(v -> {
        listeners.put(name, replacement);
        errors.remove(name);
        createSuccess.inc();
        drain(existing);
      }).onFailure(e -> {
        createFailure.inc();
        errors.put(name, e.getMessage());
        replacement.stop();
      }).otherwiseEmpty());
    }
    for (String name : List.copyOf(listeners.keySet())) {
      if (!seen.contains(name) && !staticNames.contains(name)) {
        ActiveListener gone = listeners.remove(name);
        removed.inc();
        drain(gone);
      }
    }
    for (String name : List.copyOf(errors.keySet())) {
      if (!seen.contains(name) && !staticNames.contains(name)) {
        errors.remove(name);
      }
    }
    totalActive.set(listeners.size());
    return Future.all(work).mapEmpty();
  }

  private void drain(ActiveListener l) {
    draining.add(l);
    totalDraining.set(draining.size());
    LOG.log(System.Logger.Level.INFO, "listener ''{0}'' draining for {1}", l.name(), drainTime);
    l.drainAndStop(drainTime).onComplete(ar -> {
      draining.remove(l);
      totalDraining.set(draining.size());
    });
  }

  /** Names of listeners still draining. */
  public List<String> drainingNames() {
    List<String> out = new ArrayList<>();
    for (ActiveListener l : draining) {
      out.add(l.name());
    }
    return out;
  }

  /**
   * Drains listeners without removing them from view ({@code /drain_listeners}): they stop
   * accepting; open connections close after {@code drainTime}. With {@code inboundOnly}, only
   * listeners whose {@code traffic_direction} is INBOUND.
   */
  public void drain(Duration drainTime, boolean inboundOnly) {
    for (ActiveListener l : listeners.values()) {
      if (!inboundOnly || "INBOUND".equals(l.config().trafficDirection())) {
        drain(l, drainTime);
      }
    }
  }

  private void drain(ActiveListener l, Duration time) {
    draining.add(l);
    totalDraining.set(draining.size());
    l.drainAndStop(time).onComplete(ar -> {
      draining.remove(l);
      totalDraining.set(draining.size());
    });
  }

  /** Stops every listener; open connections are closed after {@code grace}. */
  public Future<Void> stopAll(Duration grace) {
    List<Future<Void>> stops = new ArrayList<>();
    for (ActiveListener l : listeners.values()) {
      stops.add(l.drainAndStop(grace));
    }
    for (ActiveListener l : draining) {
      stops.add(l.stop());
    }
    listeners.clear();
    totalActive.set(0);
    return Future.all(stops).mapEmpty();
  }

  /** A read-only view for tests and admin: name → bound port. */
  public Map<String, Integer> ports() {
    Map<String, Integer> out = new LinkedHashMap<>();
    listeners.forEach((n, l) -> out.put(n, l.port()));
    return out;
  }
}
