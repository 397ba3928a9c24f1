package dev.xdsdp.wasm.plugin;

import dev.xdsdp.wasm.EventLoop;
import dev.xdsdp.wasm.WasmRuntime;
import dev.xdsdp.wasm.context.HttpStreamHost;
import dev.xdsdp.wasm.context.PluginServices;
import dev.xdsdp.wasm.context.WasmInstance;
import dev.xdsdp.wasm.metrics.PluginStats;
import dev.xdsdp.wasm.module.AbiVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loaded, validated and started plugin (Envoy's {@code PluginHandle} over a base VM), made by
 * {@link WasmRuntime#createPlugin}. It owns one {@link PluginReplica} per event loop: its root
 * context in that loop's VM of its {@link VmGroup}, which every plugin of the same VM key (vm_id,
 * code, VM configuration) shares, as in Envoy. Its compiled module is shared by all VMs; the first
 * VM built for the group takes over the VM that passed the canary start, so a plugin on one loop
 * starts its module once.
 *
 * <p>Thread-safe. A new config makes a new plugin beside the old one; {@link #close()} lets the
 * old one's streams finish, then shuts its VMs down.
 */
public final class WasmPlugin implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("wasm");

  private final WasmRuntime runtime;
  private final PluginServices services;
  private final VmGroup group;
  private final ConcurrentHashMap<EventLoop, PluginReplica> replicas = new ConcurrentHashMap<>();
  private final AtomicReference<WasmInstance> spare;
  private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
  private volatile boolean closed;

  /**
   * Made by {@link WasmRuntime}; {@code canary} is a started VM with this plugin's root that the
   * first VM replica of the group to be built takes over.
   */
  public WasmPlugin(WasmRuntime runtime, PluginServices services, VmGroup group, WasmInstance canary) {
    this.runtime = runtime;
    this.services = services;
    this.group = group;
    this.spare = new AtomicReference<>(canary);
  }

  /** The VMs this plugin runs in, shared with every plugin of the same VM key. */
  public VmGroup group() {
    return group;
  }

  public PluginConfig config() {
    return services.config();
  }

  public AbiVersion abiVersion() {
    return services.module().version();
  }

  public PluginStats stats() {
    return services.stats();
  }

  public WasmRuntime runtime() {
    return runtime;
  }

  /** The event loops this plugin has a replica on (diagnostics, admin and tests). */
  public java.util.Set<EventLoop> loops() {
    return java.util.Set.copyOf(replicas.keySet());
  }

  /** For the runtime's tests and diagnostics. */
  public PluginServices services() {
    return services;
  }

  /**
   * Makes sure {@code loop} has a started VM, building it off the loop. The future completes on
   * the loop once the replica serves streams; the data plane awaits these before it publishes a
   * config that uses the plugin, so no request waits for a VM to start.
   */
  public CompletableFuture<PluginReplica> prepare(EventLoop loop) {
    PluginReplica r = replicaFor(loop);
    r.startInitialBuildAsync();
    return r.ready();
  }

  /**
   * The replica of {@code loop}. If none was prepared, its VM is started here, on the calling
   * thread, which must be the loop's (it blocks the loop while the module starts: prefer
   * {@link #prepare}).
   */
  public PluginReplica replica(EventLoop loop) {
    PluginReplica r = replicaFor(loop);
    r.buildNowOnLoop();
    return r;
  }

  /** {@code replica(loop).newHttpStream(host)}: call on the loop. */
  public WasmHttpStream newHttpStream(EventLoop loop, HttpStreamHost host) {
    return replica(loop).newHttpStream(host);
  }

  /** {@code replica(loop).newNetworkStream(host)}: call on the loop. */
  public WasmNetworkStream newNetworkStream(EventLoop loop, dev.xdsdp.wasm.context.NetworkStreamHost host) {
    return replica(loop).newNetworkStream(host);
  }

  private PluginReplica replicaFor(EventLoop loop) {
    if (closed) {
      throw new IllegalStateException("plugin " + config().name() + " is closed");
    }
    return replicas.computeIfAbsent(loop, l -> new PluginReplica(this, l, group.replica(l, runtime)));
  }

  /** The canary VM (with this plugin's root) if still unused and healthy, once. */
  WasmInstance takeSpare() {
    WasmInstance inst = spare.getAndSet(null);
    if (inst != null && !inst.usable()) {
      inst.close();
      return null;
    }
    return inst;
  }

  /**
   * Closes the canary VM if no replica took it over (every loop already had a VM of this key):
   * call once the replicas are prepared.
   */
  public void dropSpare() {
    WasmInstance s = spare.getAndSet(null);
    if (s != null) {
      s.shutdown();
    }
  }

  /**
   * Drains and closes: each replica shuts its VM down ({@code on_done}, {@code on_delete}) once its
   * last stream is destroyed; the compiled module and the vm_id's shared data are released when
   * all are closed. {@link #closedFuture()} completes then.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    WasmInstance s = spare.getAndSet(null);
    if (s != null) {
      s.shutdown();
    }
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (PluginReplica r : replicas.values()) {
      all.add(r.closedFuture());
      r.loop().execute(r::close);
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, e) -> {
              runtime.releaseGroup(group, config());
              services.compiled().release();
              services.sharedData().release(config().vmId());
              LOG.log(System.Logger.Level.DEBUG, "wasm plugin " + config().name() + " closed");
              closedFuture.complete(null);
            });
  }

  /** Completes when every VM of the plugin is closed after {@link #close()}. */
  public CompletableFuture<Void> closedFuture() {
    return closedFuture;
  }
}
