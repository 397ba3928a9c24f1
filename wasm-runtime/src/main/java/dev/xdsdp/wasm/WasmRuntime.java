package dev.xdsdp.wasm;

import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.wasm.abi.host.ForeignFunctions;
import dev.xdsdp.wasm.context.PluginServices;
import dev.xdsdp.wasm.context.WasmInstance;
import dev.xdsdp.wasm.context.WasmLogSink;
import dev.xdsdp.wasm.limits.CpuWatchdog;
import dev.xdsdp.wasm.metrics.PluginStats;
import dev.xdsdp.wasm.metrics.RuntimeStats;
import dev.xdsdp.wasm.metrics.WasmStatNames;
import dev.xdsdp.wasm.module.WasmModule;
import dev.xdsdp.wasm.plugin.PluginConfig;
import dev.xdsdp.wasm.plugin.PluginEnvironment;
import dev.xdsdp.wasm.plugin.WasmPlugin;
import dev.xdsdp.wasm.shared.SharedDataStore;
import dev.xdsdp.wasm.shared.SharedQueueRegistry;
import dev.xdsdp.wasm.vm.CompiledModule;
import dev.xdsdp.wasm.vm.VmKey;
import dev.xdsdp.wasm.vm.WasmEngine;
import dev.xdsdp.wasm.vm.graal.GraalEngineCache;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The proxy-wasm host: one per process. It compiles modules (once per vm_id and code hash),
 * creates plugins, and owns what all VMs share: the engine, the shared data and queues of every
 * vm_id, the CPU watchdog, and the thread that builds VMs off the event loops.
 *
 * <p>Thread-safe. {@link #createPlugin} blocks while the module is compiled and started: call it
 * off the event loops (the xDS/main thread), or use {@link #createPluginAsync}.
 */
public final class WasmRuntime implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("wasm");

  /**
   * @param stats the root stats scope (Envoy's names are made under it)
   * @param node this proxy's node, served as the {@code xds.node} / {@code node} properties
   * @param requireJit refuse to start when GraalWasm would run interpreted
   * @param watchdogPeriodMillis how often the CPU watchdog looks at running calls
   * @param engine the engine, or null for GraalWasm
   * @param foreignFunctions what {@code proxy_call_foreign_function} can call, or null for Envoy's built-ins
   * @param buildThreads threads that compile and start VMs off the event loops
   */
  public record Options(
      StatsScope stats,
      Node node,
      boolean requireJit,
      long watchdogPeriodMillis,
      WasmEngine engine,
      ForeignFunctions foreignFunctions,
      int buildThreads) {

    public Options {
      Objects.requireNonNull(stats, "stats");
      node = node == null ? Node.getDefaultInstance() : node;
      if (watchdogPeriodMillis <= 0) {
        watchdogPeriodMillis = 10;
      }
      if (buildThreads <= 0) {
        buildThreads = 1;
      }
    }

    public static Options defaults(StatsScope stats) {
      return new Options(stats, null, false, 10, null, null, 1);
    }

    public Options withNode(Node n) {
      return new Options(stats, n, requireJit, watchdogPeriodMillis, engine, foreignFunctions, buildThreads);
    }

    public Options withRequireJit(boolean r) {
      return new Options(stats, node, r, watchdogPeriodMillis, engine, foreignFunctions, buildThreads);
    }

    public Options withEngine(WasmEngine e) {
      return new Options(stats, node, requireJit, watchdogPeriodMillis, e, foreignFunctions, buildThreads);
    }

    public Options withForeignFunctions(ForeignFunctions f) {
      return new Options(stats, node, requireJit, watchdogPeriodMillis, engine, f, buildThreads);
    }
  }

  private final Options options;
  private final WasmEngine engine;
  private final SharedDataStore sharedData = new SharedDataStore();
  private final SharedQueueRegistry sharedQueues = new SharedQueueRegistry();
  private final CpuWatchdog watchdog;
  private final ExecutorService buildExecutor;
  private final SecureRandom random = new SecureRandom();
  private final ForeignFunctions foreignFunctions;
  private final Gauge interpreterOnly;

  public WasmRuntime(Options options) {
    this.options = options;
    this.engine = options.engine() != null ? options.engine() : new GraalEngineCache();
    this.foreignFunctions = options.foreignFunctions() != null ? options.foreignFunctions() : ForeignFunctions.builtins();
    this.interpreterOnly =
        options.stats().scope(WasmStatNames.RUNTIME_SCOPE).scope(engine.name()).gauge(WasmStatNames.INTERPRETER_ONLY);
    if (!engine.jitEnabled()) {
      interpreterOnly.set(1);
      String message =
          "*** " + engine.name() + " runs WITHOUT its JIT compiler (implementation: " + engine.implementationName()
              + "): Wasm filters will be about 50 times slower. Start the JVM with -XX:+UnlockExperimentalVMOptions"
              + " -XX:+EnableJVMCI, the Graal compiler on --upgrade-module-path and the polyglot/truffle/wasm jars on"
              + " --module-path (deploy/bin/dataplane does this). ***";
      if (options.requireJit()) {
        engine.close();
        throw new IllegalStateException(message);
      }
      LOG.log(System.Logger.Level.ERROR, message);
    } else {
      interpreterOnly.set(0);
    }
    this.watchdog = new CpuWatchdog(options.watchdogPeriodMillis());
    AtomicInteger n = new AtomicInteger();
    this.buildExecutor =
        Executors.newFixedThreadPool(
            options.buildThreads(),
            r -> {
              Thread t = new Thread(r, "wasm-build-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** A runtime on GraalWasm with default options. */
  public static WasmRuntime create(StatsScope stats) {
    return new WasmRuntime(Options.defaults(stats));
  }

  public WasmEngine engine() {
    return engine;
  }

  /** False when the engine runs interpreted (also the {@code wasm.graalwasm.interpreter_only} gauge). */
  public boolean jitEnabled() {
    return engine.jitEnabled();
  }

  public SharedDataStore sharedData() {
    return sharedData;
  }

  public SharedQueueRegistry sharedQueues() {
    return sharedQueues;
  }

  public ExecutorService buildExecutor() {
    return buildExecutor;
  }

  /**
   * Loads, validates, compiles and starts a plugin: parses the module and detects its ABI, checks
   * every import and callback signature, compiles it (or reuses the compiled code of the same
   * vm_id and code), and runs a canary start ({@code on_vm_start}, {@code on_configure}) whose VM
   * the first replica takes over. Blocks; call off the event loops.
   *
   * @throws WasmException with a message naming the problem; the data plane NACKs the config
   */
  public WasmPlugin createPlugin(PluginConfig config, PluginEnvironment env) {
    WasmModule module = WasmModule.load(config.code(), config.limits().maxMemoryPages());
    CompiledModule compiled;
    try {
      compiled = engine.compile(new VmKey(config.vmId(), module.preparedSha256()), module.prepared());
    } catch (IllegalArgumentException e) {
      throw new WasmException("Wasm module of plugin " + config.name() + " failed to compile: " + e.getMessage(), e);
    }
    WasmLogSink log = env.log() != null ? env.log() : WasmLogSink.logger(config.name(), config.rootId(), config.vmId());
    StatsScope custom = env.customMetrics() != null ? env.customMetrics() : options.stats();
    PluginServices services =
        new PluginServices(
            config,
            module,
            compiled,
            new PluginStats(options.stats(), config.name()),
            new RuntimeStats(options.stats(), config.runtime()),
            watchdog,
            sharedData,
            sharedQueues,
            env.callouts(),
            env.rootProperties(),
            options.node(),
            log,
            custom,
            foreignFunctions,
            random);
    sharedData.retain(config.vmId());
    WasmInstance canary;
    try {
      canary = WasmInstance.start(services, failed -> {});
    } catch (RuntimeException e) {
      sharedData.release(config.vmId());
      compiled.release();
      throw e;
    }
    LOG.log(
        System.Logger.Level.INFO,
        "wasm plugin " + config.name() + " loaded: ABI " + module.version() + ", vm_id '" + config.vmId() + "', "
            + config.code().length + " bytes");
    return new WasmPlugin(this, services, acquireGroup(config, module), canary);
  }

  private final java.util.Map<String, java.util.List<dev.xdsdp.wasm.plugin.VmGroup>> groups = new java.util.HashMap<>();
  private long groupSequence;

  /**
   * The VMs a plugin runs in. Plugins of one VM key share VMs as in Envoy (the key is the vm_id,
   * the VM configuration and the code; the environment, limits and capabilities are added because
   * a running VM cannot change them) — except that a new version of a plugin already running (same
   * name and root id, e.g. an ECDS push that changed only the plugin configuration) never joins its
   * predecessor's VMs: it gets new VMs beside them, so the old version's streams finish on VMs the
   * new configuration never touched. That is the safe hot reload; Envoy would add a root context
   * to the running VMs.
   */
  private dev.xdsdp.wasm.plugin.VmGroup acquireGroup(PluginConfig c, WasmModule module) {
    StringBuilder k = new StringBuilder()
        .append(c.vmId()).append('|').append(c.runtime()).append('|').append(module.preparedSha256()).append('|')
        .append(WasmModule.sha256(c.vmConfiguration())).append('|').append(c.environmentVariables()).append('|')
        .append(c.limits()).append('|').append(new java.util.TreeSet<>(c.allowedCapabilities()));
    String key = WasmModule.sha256(k.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String identity = pluginIdentity(c);
    synchronized (groups) {
      java.util.List<dev.xdsdp.wasm.plugin.VmGroup> candidates = groups.computeIfAbsent(key, x -> new java.util.ArrayList<>());
      for (dev.xdsdp.wasm.plugin.VmGroup g : candidates) {
        if (!g.hosts(identity)) {
          g.retain(identity);
          return g;
        }
      }
      dev.xdsdp.wasm.plugin.VmGroup g = new dev.xdsdp.wasm.plugin.VmGroup(key + "#" + (++groupSequence));
      candidates.add(g);
      g.retain(identity);
      return g;
    }
  }

  /** What makes two plugins versions of one another: the name and the root id. */
  public static String pluginIdentity(PluginConfig c) {
    return c.name() + "\u0000" + c.rootId();
  }

  /** A plugin of {@code group} is closed; the last one drops the group. */
  public void releaseGroup(dev.xdsdp.wasm.plugin.VmGroup group, PluginConfig plugin) {
    synchronized (groups) {
      if (group.release(pluginIdentity(plugin))) {
        groups.values().forEach(list -> list.remove(group));
        groups.values().removeIf(java.util.List::isEmpty);
      }
    }
  }

  /** VM groups alive (tests and diagnostics). */
  public int groupCount() {
    synchronized (groups) {
      int n = 0;
      for (var list : groups.values()) {
        n += list.size();
      }
      return n;
    }
  }

  /** {@link #createPlugin} on the build thread. */
  public CompletableFuture<WasmPlugin> createPluginAsync(PluginConfig config, PluginEnvironment env) {
    return CompletableFuture.supplyAsync(() -> createPlugin(config, env), buildExecutor);
  }

  @Override
  public void close() {
    watchdog.close();
    buildExecutor.shutdownNow();
    engine.close();
  }
}
