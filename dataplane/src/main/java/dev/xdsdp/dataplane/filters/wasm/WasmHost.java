package dev.xdsdp.dataplane.filters.wasm;

import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.api.registry.ExtensionRegistry;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.dataplane.server.WorkerLoops;
import dev.xdsdp.dataplane.upstream.ClusterManager;
import dev.xdsdp.wasm.WasmException;
import dev.xdsdp.wasm.WasmRuntime;
import dev.xdsdp.wasm.metrics.WasmStatNames;
import dev.xdsdp.wasm.plugin.PluginConfig;
import dev.xdsdp.wasm.plugin.PluginEnvironment;
import dev.xdsdp.wasm.plugin.PluginReplica;
import dev.xdsdp.wasm.plugin.WasmPlugin;
import dev.xdsdp.xds.resource.listener.ListenerConfig;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The data plane's side of the proxy-wasm host, one per server: the {@link WasmRuntime} (made on
 * first use, so a server without Wasm filters never starts GraalWasm), the worker loops as the
 * runtime's event loops, the callouts through the cluster manager, the remote code cache, and the
 * live plugins.
 *
 * <p>Identical plugin configs share one {@link WasmPlugin} (and so its VMs), counted by reference:
 * a listener update that keeps a Wasm filter unchanged, or the same filter in several filter
 * chains, does not start new VMs. The last release closes the plugin, which drains: in-flight
 * streams finish on the old VMs.
 *
 * <p>Thread-safe. {@link #acquire} blocks while a module compiles and its VMs start: it runs on
 * the config thread, never on an event loop. Releasing never waits for a build.
 */
public final class WasmHost implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("wasm");

  /**
   * What the server lends the Wasm filters.
   *
   * @param stats the server's root stats scope ({@code wasm.*} names are made under it)
   * @param node this proxy's node ({@code node}/{@code xds.node} properties)
   * @param loops the worker event loops: every plugin gets a started VM on each before it serves
   * @param clusters where callouts and remote code fetches go
   * @param bootstrap the bootstrap, for static clusters not yet in the cluster manager, or null
   * @param listeners the live listener config by name, or null (listener direction and metadata)
   */
  public record Services(
      StatsScope stats,
      Node node,
      WorkerLoops loops,
      ClusterManager clusters,
      Bootstrap bootstrap,
      Function<String, ListenerConfig> listeners) {}

  private final Services services;
  private final WorkerEventLoops loops;
  private final ClusterCallouts callouts;
  private final RemoteCodeFetcher remoteCode;
  private final Map<String, SharedPlugin> plugins = new HashMap<>();
  private final java.util.Set<String> runtimesUsed = new java.util.TreeSet<>();
  private final Object buildLock = new Object();
  /** Every plugin built and not yet closed, draining ones included (shutdown waits for them). */
  private final java.util.Set<WasmPlugin> unclosed = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private WasmRuntime runtime;
  private ServiceLoop serviceLoop;
  private boolean closed;

  private WasmHost(Services services) {
    this.services = services;
    this.loops = WorkerEventLoops.of(services.loops());
    this.callouts = new ClusterCallouts(services.clusters(), services.loops().vertx());
    this.remoteCode = new RemoteCodeFetcher(services.clusters(), services.loops().vertx(), services.stats(),
        RemoteCodeFetcher.staticClusters(services.bootstrap()));
  }

  /**
   * Makes the server's host and binds it to the registry's {@link WasmFilterFactory}, if the
   * registry has one. Call before any config is parsed; close the host with the server.
   */
  public static WasmHost attach(ExtensionRegistry registry, Services services) {
    WasmHost host = new WasmHost(services);
    registry.httpFilterByName(WasmFilterFactory.NAME)
        .filter(WasmFilterFactory.class::isInstance)
        .ifPresent(f -> ((WasmFilterFactory) f).bind(host));
    registry.networkFilterByName(WasmNetworkFilterFactory.NAME)
        .filter(WasmNetworkFilterFactory.class::isInstance)
        .ifPresent(f -> ((WasmNetworkFilterFactory) f).bind(host));
    registry.accessLoggerByName(WasmAccessLoggerFactory.NAME)
        .filter(WasmAccessLoggerFactory.class::isInstance)
        .ifPresent(f -> ((WasmAccessLoggerFactory) f).bind(host));
    return host;
  }

  /** The runtime, started on first use. */
  public synchronized WasmRuntime runtime() {
    if (closed) {
      throw new IllegalStateException("the Wasm host is closed");
    }
    if (runtime == null) {
      // Two build threads: replicas of a new config start in parallel on a 2-core machine without
      // starving the event loops.
      runtime = new WasmRuntime(new WasmRuntime.Options(services.stats(), services.node(), false, 10, null, null,
          Math.min(2, Math.max(1, loops.all().size()))));
    }
    return runtime;
  }

  /** Started plugins, distinct configs only (for tests and admin). */
  public List<WasmPlugin> livePlugins() {
    synchronized (plugins) {
      List<WasmPlugin> out = new ArrayList<>();
      for (SharedPlugin p : plugins.values()) {
        out.add(p.plugin);
      }
      return out;
    }
  }

  /**
   * VM instances alive in every plugin: the replicas serving streams plus those still draining
   * ({@code wasm.<runtime>.active} summed over the runtimes in use).
   */
  public long liveVms() {
    long n = 0;
    synchronized (plugins) {
      for (String rt : runtimesUsed) {
        n += services.stats().scope(WasmStatNames.RUNTIME_SCOPE).scope(rt).gauge(WasmStatNames.ACTIVE).value();
      }
    }
    return n;
  }

  WorkerEventLoops loops() {
    return loops;
  }

  RemoteCodeFetcher remoteCode() {
    return remoteCode;
  }

  /** The live cluster named {@code name}, or null. */
  dev.xdsdp.dataplane.upstream.Cluster cluster(String name) {
    return services.clusters() == null ? null : services.clusters().get(name);
  }

  /** The listener config named {@code name}, or null. */
  ListenerConfig listener(String name) {
    return services.listeners() == null || name == null ? null : services.listeners().apply(name);
  }

  /**
   * A started plugin for {@code config}, with a VM ready on every worker loop: the running one if
   * an identical config is live, else a new one (its module compiled once per vm_id and code).
   *
   * @throws FilterConfigException when the module cannot be loaded or started; the message says why
   */
  SharedPlugin acquire(WasmFilterConfig config) throws FilterConfigException {
    return acquire(config, key(config.plugin()), loops.all());
  }

  /**
   * A started Wasm service ({@code envoy.bootstrap.wasm}): with {@code singleton}, one VM on the
   * service thread (Envoy's main thread), never on a worker; otherwise a VM on every worker loop,
   * like a filter's. A service never shares its plugin with a filter.
   */
  SharedPlugin acquireService(WasmFilterConfig config, boolean singleton) throws FilterConfigException {
    List<? extends dev.xdsdp.wasm.EventLoop> on = singleton ? List.of(serviceLoop()) : loops.all();
    return acquire(config, key(config.plugin()) + (singleton ? "|singleton" : "|per-worker"), on);
  }

  /** The thread singleton services run on, started on first use. */
  synchronized ServiceLoop serviceLoop() {
    if (closed) {
      throw new IllegalStateException("the Wasm host is closed");
    }
    if (serviceLoop == null) {
      serviceLoop = new ServiceLoop();
    }
    return serviceLoop;
  }

  private SharedPlugin acquire(WasmFilterConfig config, String key, List<? extends dev.xdsdp.wasm.EventLoop> on)
      throws FilterConfigException {
    if (loops.isWorkerThread()) {
      throw new IllegalStateException("Wasm plugins are built off the event loops");
    }
    SharedPlugin shared = share(key);
    if (shared != null) {
      return shared;
    }
    // One build at a time; the map lock is not held meanwhile, so a stream ending on an event loop
    // can release a plugin without waiting for a compile (which itself waits for the loops).
    synchronized (buildLock) {
      shared = share(key);
      if (shared != null) {
        return shared;
      }
      WasmPlugin plugin = build(config, on);
      shared = new SharedPlugin(key, plugin);
      synchronized (plugins) {
        warnOnVmIdReuse(plugin);
        plugins.put(key, shared);
      }
      return shared;
    }
  }

  /**
   * Envoy keys a VM by vm_id and code together: plugins with the same vm_id and different code get
   * separate VMs, but their shared data and queues, keyed by vm_id alone, are shared. That is what
   * happens here too; since it is rarely meant (except while a new version replaces an old one),
   * say so. Holds the plugins lock.
   */
  private void warnOnVmIdReuse(WasmPlugin plugin) {
    String vmId = plugin.config().vmId();
    String code = dev.xdsdp.wasm.module.WasmModule.sha256(plugin.config().code());
    for (SharedPlugin other : plugins.values()) {
      var oc = other.plugin.config();
      if (oc.vmId().equals(vmId) && !dev.xdsdp.wasm.module.WasmModule.sha256(oc.code()).equals(code)) {
        LOG.log(System.Logger.Level.WARNING, "wasm plugin " + plugin.config().name() + " reuses vm_id '" + vmId
            + "' of plugin " + oc.name() + " with different code (sha256 " + code.substring(0, 12) + " vs "
            + dev.xdsdp.wasm.module.WasmModule.sha256(oc.code()).substring(0, 12) + "): as in Envoy they get separate"
            + " VMs but share the vm_id's shared data and queues. Expected while a new version replaces an old one;"
            + " otherwise give each module its own vm_id.");
        return;
      }
    }
  }

  /** The live plugin of {@code key} with one more user, or null. */
  private SharedPlugin share(String key) {
    synchronized (plugins) {
      SharedPlugin p = plugins.get(key);
      if (p != null && p.refs > 0) {
        p.refs++;
        return p;
      }
      return null;
    }
  }

  private WasmPlugin build(WasmFilterConfig config, List<? extends dev.xdsdp.wasm.EventLoop> on)
      throws FilterConfigException {
    PluginConfig pc = config.plugin();
    synchronized (plugins) {
      runtimesUsed.add(pc.runtime());
    }
    WasmPlugin plugin;
    try {
      plugin = runtime().createPlugin(pc, new PluginEnvironment(callouts, null, null, null));
    } catch (WasmException | IllegalArgumentException e) {
      throw new FilterConfigException(message(pc.name(), e.getMessage()), e);
    }
    List<CompletableFuture<PluginReplica>> ready = new ArrayList<>();
    for (dev.xdsdp.wasm.EventLoop l : on) {
      ready.add(plugin.prepare(l));
    }
    try {
      CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      plugin.close();
      throw new FilterConfigException(message(pc.name(), "starting its VMs failed: " + e.getCause().getMessage()), e);
    } catch (Exception e) {
      plugin.close();
      throw new FilterConfigException(message(pc.name(), "starting its VMs failed: " + e), e);
    }
    // Every loop already had a VM of this key: the canary VM was not needed.
    plugin.dropSpare();
    unclosed.add(plugin);
    plugin.closedFuture().whenComplete((v, e) -> unclosed.remove(plugin));
    LOG.log(System.Logger.Level.INFO, "wasm plugin {0} ready on {1} (code from {2})",
        pc.name(), on.size() == 1 && on.getFirst() instanceof ServiceLoop ? "the service thread"
            : on.size() + " worker loops", config.codeSource());
    return plugin;
  }

  static String message(String pluginName, String reason) {
    if (reason != null && reason.startsWith("Unable to create Wasm plugin")) {
      return reason;
    }
    return WasmFilterConfig.prefix(pluginName) + reason;
  }

  /** Never blocks on a build: it may run on an event loop when a config's last stream ends. */
  private void release(SharedPlugin p) {
    synchronized (plugins) {
      if (--p.refs > 0) {
        return;
      }
      if (plugins.get(p.key) == p) {
        plugins.remove(p.key);
      }
    }
    p.plugin.close();
  }

  /** A plugin and the configs that use it. */
  final class SharedPlugin {
    final String key;
    final WasmPlugin plugin;
    int refs = 1;

    SharedPlugin(String key, WasmPlugin plugin) {
      this.key = key;
      this.plugin = plugin;
    }

    /** Drops one user; the last one closes the plugin, which drains its VMs. */
    void release() {
      WasmHost.this.release(this);
    }
  }

  /** Every field of the config, digested: equal configs share a plugin. */
  static String key(PluginConfig c) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(c.name());
      out.writeUTF(c.rootId());
      out.writeUTF(c.vmId());
      out.writeUTF(c.runtime());
      out.writeUTF(dev.xdsdp.wasm.module.WasmModule.sha256(c.code()));
      writeBytes(out, c.vmConfiguration());
      writeBytes(out, c.pluginConfiguration());
      for (Map.Entry<String, String> e : c.environmentVariables().entrySet()) {
        out.writeUTF(e.getKey());
        out.writeUTF(e.getValue());
      }
      out.writeUTF("|" + c.failurePolicy() + "|" + c.allowOnHeadersStopIteration() + "|" + c.limits() + "|"
          + c.reloadBackoff() + "|" + new TreeMap<>(Map.of("caps", new java.util.TreeSet<>(c.allowedCapabilities()))));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return dev.xdsdp.wasm.module.WasmModule.sha256(bytes.toByteArray());
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  /**
   * Closes every plugin (the server is stopping, its listeners are closed), waits briefly for
   * their VMs to shut down on their loops, then closes the runtime.
   */
  @Override
  public void close() {
    WasmRuntime r;
    List<SharedPlugin> open;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      r = runtime;
      runtime = null;
    }
    synchronized (plugins) {
      open = new ArrayList<>(plugins.values());
      plugins.clear();
    }
    for (SharedPlugin p : open) {
      p.plugin.close();
    }
    // Let the VMs end their root contexts on their loops before the engine goes away.
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (WasmPlugin p : unclosed) {
      p.close();
      closing.add(p.closedFuture());
    }
    try {
      CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.log(System.Logger.Level.DEBUG, "wasm plugins still closing at shutdown: {0}", e.toString());
    }
    if (r != null) {
      r.close();
    }
    ServiceLoop sl;
    synchronized (this) {
      sl = serviceLoop;
      serviceLoop = null;
    }
    if (sl != null) {
      sl.close();
    }
  }
}
