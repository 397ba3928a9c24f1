package dev.xdsdp.wasm.plugin;

import dev.xdsdp.wasm.EventLoop;
import dev.xdsdp.wasm.context.AccessLogEntry;
import dev.xdsdp.wasm.context.HttpStreamHost;
import dev.xdsdp.wasm.context.NetworkStreamHost;
import dev.xdsdp.wasm.context.PluginServices;
import dev.xdsdp.wasm.context.RootContext;
import dev.xdsdp.wasm.context.WasmInstance;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A plugin on one event loop: its root context in the loop's VM of its VM key (Envoy's per-worker
 * plugin handle). The VM itself ({@link VmReplica}) may host other plugins' roots too. Everything
 * but construction runs on that loop.
 *
 * <p>While the VM is failed or being rebuilt the replica has no root, and streams arriving
 * meanwhile get the failure policy. When the plugin is closed the replica drains: its root context
 * is shut down once its last stream is destroyed, and the VM closes when no plugin is left in it.
 */
public final class PluginReplica {

  private static final System.Logger LOG = System.getLogger("wasm");

  private final WasmPlugin plugin;
  private final EventLoop loop;
  /** The loop's VM replica of the plugin's group; changes only if it closed before this attached. */
  private VmReplica vm;
  private RootContext root;
  private boolean closing;
  private boolean closed;
  private boolean shuttingDown;
  private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
  private final CompletableFuture<PluginReplica> ready = new CompletableFuture<>();
  private final AtomicBoolean initialBuildStarted = new AtomicBoolean();

  PluginReplica(WasmPlugin plugin, EventLoop loop, VmReplica vm) {
    this.plugin = plugin;
    this.loop = loop;
    this.vm = vm;
  }

  public EventLoop loop() {
    return loop;
  }

  public WasmPlugin plugin() {
    return plugin;
  }

  PluginServices services() {
    return plugin.services();
  }

  void moveTo(VmReplica other) {
    this.vm = other;
  }

  /** True when a healthy VM with this plugin's root serves new streams. */
  public boolean healthy() {
    return root != null && !root.removed() && root.instance().usable();
  }

  /** The VM serving this plugin's new streams, or null while it is being (re)built. */
  public WasmInstance instance() {
    return root == null ? null : root.instance();
  }

  /** This plugin's root context in the loop's VM, or null while there is none. */
  public RootContext root() {
    return root;
  }

  boolean closing() {
    return closing;
  }

  /** Completes when the replica's root context has ended after {@link WasmPlugin#close()}. */
  public CompletableFuture<Void> closedFuture() {
    return closedFuture;
  }

  /** Completes (on the loop) once the root context serves streams, or exceptionally if it cannot start. */
  public CompletableFuture<PluginReplica> ready() {
    return ready;
  }

  /** Attaches to the loop's VM (built off the loop if there is none yet). Any thread; once. */
  void startInitialBuildAsync() {
    if (initialBuildStarted.compareAndSet(false, true)) {
      loop.execute(() -> vm.attach(this));
    }
  }

  /** Attaches now, on the calling thread, which must be the loop (a missing VM is built here). */
  void buildNowOnLoop() {
    if (initialBuildStarted.compareAndSet(false, true)) {
      vm.attachNow(this);
    }
  }

  /** The VM gave this plugin its root context. */
  void rootReady(RootContext r, boolean rebuild) {
    root = r;
    if (rebuild) {
      plugin.stats().reloadSuccess.inc();
    }
    ready.complete(this);
    if (closing) {
      maybeShutdownRoot();
    }
  }

  /**
   * The VM could not give this plugin a root: the VM did not start ({@code vmAlive} false; the VM
   * replica retries), or this plugin's root did not start in a running VM (it retries here).
   */
  void rootFailed(RuntimeException e, boolean vmAlive) {
    root = null;
    plugin.stats().reloadFailure.inc();
    LOG.log(System.Logger.Level.ERROR, "starting the wasm plugin " + plugin.config().name() + " on " + loop.id()
        + " failed: " + e.getMessage());
    ready.completeExceptionally(e);
    if (closing) {
      finishClose();
      return;
    }
    if (vmAlive) {
      vm.retryRootLater(this);
    }
  }

  /** The VM failed: this plugin's root is gone with it until the VM is rebuilt. */
  void vmLost() {
    root = null;
    if (closing) {
      finishClose();
    }
  }

  private WasmInstance usableInstance() {
    if (root == null || root.removed() || closing) {
      return null;
    }
    WasmInstance inst = root.instance();
    return inst.usable() ? inst : null;
  }

  private void noVm() {
    if (!closing) {
      plugin.stats().reloadBackoff.inc();
      vm.maybeRebuild();
    }
  }

  /**
   * A context for a new HTTP stream. Never null: without a healthy VM the stream applies the
   * failure policy ({@link WasmHttpStream#isPassThrough()} tells the fail-open case).
   */
  public WasmHttpStream newHttpStream(HttpStreamHost host) {
    WasmInstance inst = usableInstance();
    if (inst == null) {
      noVm();
      return new WasmHttpStream(this, null, null, host);
    }
    return new WasmHttpStream(this, inst, root, host);
  }

  /**
   * A context for a new TCP connection. Never null: without a healthy VM the connection applies
   * the failure policy ({@link WasmNetworkStream#isPassThrough()} tells the fail-open case).
   */
  public WasmNetworkStream newNetworkStream(NetworkStreamHost host) {
    WasmInstance inst = usableInstance();
    if (inst == null) {
      noVm();
      return new WasmNetworkStream(this, null, null, host);
    }
    return new WasmNetworkStream(this, inst, root, host);
  }

  /**
   * Logs one finished stream through an access logger plugin's root context
   * ({@code proxy_on_log}). Without a healthy VM the entry is dropped, as Envoy drops it.
   */
  public void log(AccessLogEntry entry) {
    WasmInstance inst = usableInstance();
    if (inst == null) {
      noVm();
      return;
    }
    inst.deliverLog(root, entry);
  }

  /** Delivers {@code proxy_on_foreign_function} to this plugin's root context. */
  public void onForeignFunction(int functionId, byte[] args) {
    WasmInstance inst = usableInstance();
    if (inst != null) {
      inst.deliverForeignFunction(root, functionId, args);
    }
  }

  /** A stream of {@code r} was destroyed; a closing replica may now end its root. */
  void streamFinished(RootContext r) {
    if (closing && r == root) {
      maybeShutdownRoot();
    }
  }

  /** Starts draining; runs on the loop. */
  void close() {
    if (closing) {
      return;
    }
    closing = true;
    if (root == null) {
      if (ready.isDone() || !initialBuildStarted.get()) {
        finishClose();
      }
      // else: the root is being built; rootReady or rootFailed finishes the close
      return;
    }
    maybeShutdownRoot();
  }

  private void maybeShutdownRoot() {
    RootContext r = root;
    if (r == null || shuttingDown || r.liveStreams() > 0) {
      return;
    }
    shuttingDown = true;
    WasmInstance inst = r.instance();
    if (!inst.shutdownRoot(r, this::finishClose)) {
      // The module answered false to on_done and will call proxy_done; do not wait forever.
      loop.schedule(10_000, () -> inst.abandonRoot(r));
    }
  }

  private void finishClose() {
    if (closed) {
      return;
    }
    closed = true;
    root = null;
    vm.detach(this);
    ready.completeExceptionally(new IllegalStateException("plugin closed"));
    closedFuture.complete(null);
  }
}
