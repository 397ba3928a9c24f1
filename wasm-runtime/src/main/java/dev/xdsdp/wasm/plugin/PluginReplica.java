package dev.xdsdp.wasm.plugin;

import dev.xdsdp.wasm.EventLoop;
import dev.xdsdp.wasm.context.HttpStreamHost;
import dev.xdsdp.wasm.context.WasmInstance;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A plugin's VM on one event loop (Envoy's per-worker VM copy with the plugin's root context).
 * Everything but construction runs on that loop.
 *
 * <p>When the VM fails it is dropped, never called again, and a new one is built off the loop
 * after a jittered backoff that doubles with consecutive failures (up to 30 times the base);
 * streams arriving meanwhile get the failure policy. When the plugin is closed the replica drains:
 * the VM's root context is shut down once its last stream is destroyed.
 */
public final class PluginReplica {

  private static final System.Logger LOG = System.getLogger("wasm");

  private final WasmPlugin plugin;
  private final EventLoop loop;
  private WasmInstance current;
  private boolean building;
  private boolean closing;
  private boolean closed;
  private int consecutiveFailures;
  private long installedAtNanos;
  private long nextBuildNanos;
  private EventLoop.Cancellable rebuildTimer;
  private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
  private final CompletableFuture<PluginReplica> ready = new CompletableFuture<>();
  private final java.util.concurrent.atomic.AtomicBoolean initialBuildStarted =
      new java.util.concurrent.atomic.AtomicBoolean();

  PluginReplica(WasmPlugin plugin, EventLoop loop) {
    this.plugin = plugin;
    this.loop = loop;
  }

  public EventLoop loop() {
    return loop;
  }

  public WasmPlugin plugin() {
    return plugin;
  }

  /** True when a healthy VM serves new streams. */
  public boolean healthy() {
    return current != null && current.usable();
  }

  /** The VM serving new streams, or null while it is being (re)built. For tests and diagnostics. */
  public WasmInstance instance() {
    return current;
  }

  /** Completes when the replica's VMs are closed after {@link WasmPlugin#close()}. */
  public CompletableFuture<Void> closedFuture() {
    return closedFuture;
  }

  /** Completes (on the loop) once the first VM is installed, or exceptionally if it cannot start. */
  public CompletableFuture<PluginReplica> ready() {
    return ready;
  }

  /** Builds the first VM off the loop, then installs it on the loop. Any thread; once. */
  void startInitialBuildAsync() {
    if (!initialBuildStarted.compareAndSet(false, true)) {
      return;
    }
    loop.execute(() -> building = true);
    plugin.runtime().buildExecutor().execute(
        () -> {
          WasmInstance inst;
          try {
            inst = plugin.startInstance(this);
          } catch (RuntimeException e) {
            loop.execute(() -> initialBuildFailed(e));
            return;
          }
          loop.execute(() -> install(inst, false));
        });
  }

  /** Builds and installs the first VM on the calling thread, which must be the loop. */
  void buildNowOnLoop() {
    if (!initialBuildStarted.compareAndSet(false, true)) {
      return;
    }
    WasmInstance inst;
    try {
      inst = plugin.startInstance(this);
    } catch (RuntimeException e) {
      initialBuildFailed(e);
      throw e;
    }
    install(inst, false);
  }

  private void initialBuildFailed(RuntimeException e) {
    building = false;
    plugin.stats().reloadFailure.inc();
    LOG.log(System.Logger.Level.ERROR, "starting the wasm VM of plugin " + plugin.config().name() + " on " + loop.id() + " failed: " + e.getMessage());
    ready.completeExceptionally(e);
    if (closing) {
      maybeFinishClose();
      return;
    }
    consecutiveFailures++;
    scheduleRebuild();
  }

  /** Binds a started VM to this loop; runs on the loop. */
  void install(WasmInstance instance, boolean rebuild) {
    building = false;
    if (closing) {
      instance.close();
      ready.completeExceptionally(new IllegalStateException("plugin closed"));
      maybeFinishClose();
      return;
    }
    instance.setFailureListener(this::onInstanceFailed);
    instance.activate(loop);
    current = instance;
    installedAtNanos = System.nanoTime();
    if (rebuild) {
      plugin.stats().reloadSuccess.inc();
    }
    ready.complete(this);
  }

  /**
   * A context for a new HTTP stream. Never null: without a healthy VM the stream applies the
   * failure policy ({@link WasmHttpStream#isPassThrough()} tells the fail-open case).
   */
  public WasmHttpStream newHttpStream(HttpStreamHost host) {
    WasmInstance inst = current;
    if (inst == null || !inst.usable() || closing) {
      if (!closing) {
        plugin.stats().reloadBackoff.inc();
        maybeRebuild();
      }
      return new WasmHttpStream(this, null, host);
    }
    return new WasmHttpStream(this, inst, host);
  }

  /**
   * A context for a new TCP connection. Never null: without a healthy VM the connection applies
   * the failure policy ({@link WasmNetworkStream#isPassThrough()} tells the fail-open case).
   */
  public WasmNetworkStream newNetworkStream(dev.xdsdp.wasm.context.NetworkStreamHost host) {
    WasmInstance inst = current;
    if (inst == null || !inst.usable() || closing) {
      if (!closing) {
        plugin.stats().reloadBackoff.inc();
        maybeRebuild();
      }
      return new WasmNetworkStream(this, null, host);
    }
    return new WasmNetworkStream(this, inst, host);
  }

  /**
   * Logs one finished stream through an access logger plugin's root context
   * ({@code proxy_on_log}). Without a healthy VM the entry is dropped, as Envoy drops it.
   */
  public void log(dev.xdsdp.wasm.context.AccessLogEntry entry) {
    WasmInstance inst = current;
    if (inst == null || !inst.usable() || closing) {
      if (!closing) {
        maybeRebuild();
      }
      return;
    }
    inst.deliverLog(entry);
  }

  /** Delivers {@code proxy_on_foreign_function} to the current VM's root context. */
  public void onForeignFunction(int functionId, byte[] args) {
    WasmInstance inst = current;
    if (inst != null && inst.usable()) {
      inst.deliverForeignFunction(functionId, args);
    }
  }

  /** Called by the instance (on the loop, or the build thread while starting) when it fails. */
  void onInstanceFailed(WasmInstance instance) {
    if (instance != current) {
      return; // a VM that failed while starting; the build reports it
    }
    current = null;
    if (closing) {
      maybeFinishClose();
      return;
    }
    long base = plugin.config().reloadBackoff().toNanos();
    if (System.nanoTime() - installedAtNanos > 10 * base) {
      consecutiveFailures = 0; // it ran well for a while: start the backoff over
    }
    consecutiveFailures++;
    scheduleRebuild();
  }

  private long backoffNanos() {
    long base = Math.max(1, plugin.config().reloadBackoff().toNanos());
    long d = base << Math.min(consecutiveFailures - 1, 5);
    d = Math.min(d, 30 * base);
    return d + ThreadLocalRandom.current().nextLong(Math.max(1, d / 2));
  }

  private void scheduleRebuild() {
    nextBuildNanos = System.nanoTime() + backoffNanos();
    armRebuildTimer();
  }

  private void armRebuildTimer() {
    if (rebuildTimer != null) {
      rebuildTimer.cancel();
    }
    long wait = Math.max(0, nextBuildNanos - System.nanoTime());
    rebuildTimer = loop.schedule((wait + 999_999) / 1_000_000, this::maybeRebuild);
  }

  private void maybeRebuild() {
    rebuildTimer = null;
    if (closing || building || (current != null && current.usable())) {
      return;
    }
    if (System.nanoTime() < nextBuildNanos) {
      armRebuildTimer(); // woken early (a stream, or timer granularity): wait out the backoff
      return;
    }
    building = true;
    plugin.runtime().buildExecutor().execute(
        () -> {
          WasmInstance inst;
          try {
            inst = plugin.startInstance(this);
          } catch (RuntimeException e) {
            loop.execute(() -> buildFailed(e));
            return;
          }
          loop.execute(() -> install(inst, true));
        });
  }

  private void buildFailed(RuntimeException e) {
    building = false;
    plugin.stats().reloadFailure.inc();
    LOG.log(System.Logger.Level.ERROR, "rebuilding the wasm VM of plugin " + plugin.config().name() + " failed: " + e.getMessage());
    if (closing) {
      maybeFinishClose();
      return;
    }
    consecutiveFailures++;
    scheduleRebuild();
  }

  /** A stream of {@code instance} was destroyed; a closing replica may now shut its VM down. */
  void streamFinished(WasmInstance instance) {
    if (closing && instance.liveStreams() == 0) {
      shutdownInstance(instance);
    }
  }

  /** Starts draining; runs on the loop. */
  void close() {
    if (closing) {
      return;
    }
    closing = true;
    if (rebuildTimer != null) {
      rebuildTimer.cancel();
      rebuildTimer = null;
    }
    WasmInstance inst = current;
    if (inst != null && inst.liveStreams() == 0) {
      shutdownInstance(inst);
    }
    maybeFinishClose();
  }

  private void shutdownInstance(WasmInstance inst) {
    inst.onClose(this::maybeFinishClose);
    if (!inst.shutdown()) {
      // The module answered false to on_done and will call proxy_done; do not wait forever.
      loop.schedule(10_000, inst::close);
    }
  }

  private void maybeFinishClose() {
    if (closed || !closing || building) {
      return;
    }
    if (current != null && !current.closed()) {
      return;
    }
    closed = true;
    current = null;
    closedFuture.complete(null);
  }
}
