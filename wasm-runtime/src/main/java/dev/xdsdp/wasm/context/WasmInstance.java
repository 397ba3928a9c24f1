package dev.xdsdp.wasm.context;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.wasm.EventLoop;
import dev.xdsdp.wasm.WasmException;
import dev.xdsdp.wasm.abi.ModuleExports;
import dev.xdsdp.wasm.abi.WasmResult;
import dev.xdsdp.wasm.abi.host.HostFunctions;
import dev.xdsdp.wasm.abi.memory.GuestMemory;
import dev.xdsdp.wasm.limits.CpuWatchdog;
import dev.xdsdp.wasm.module.AbiVersion;
import dev.xdsdp.wasm.shared.SharedQueueRegistry;
import dev.xdsdp.wasm.vm.WasmFault;
import dev.xdsdp.wasm.vm.WasmFunction;
import dev.xdsdp.wasm.vm.WasmVm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One VM instance with its proxy-wasm state (cpp-host's {@code WasmBase} plus the context
 * registry): the contexts by id, the effective context of the running call, the actions deferred
 * until the call returns, and the failure that ends the instance. A VM hosts the root contexts of
 * every plugin with the same VM key (vm_id, code, VM configuration) on its loop, as Envoy shares
 * VMs; {@link #plugin()} is the plugin that started it, whose VM-level settings (code, VM
 * configuration, environment, limits, capabilities) all of them share, while plugin-level ones
 * (name, root id, plugin configuration, failure policy, stats, log prefix) come from each
 * context's own root.
 *
 * <p>An instance is built and started on any thread (the canary on the config thread, replicas on
 * the build thread), then {@linkplain #activate bound to an event loop} and used only there.
 * Until it is bound, loop work (ticks, queue and callout deliveries) waits, so the VM is never
 * entered by two threads.
 *
 * <p>A {@link WasmFault} from any call fails the instance for good: the fault is rethrown to the
 * caller, the VM is closed when the outermost call unwinds, and the failure listener is told so
 * the replica can be rebuilt. Every later call throws the same fault.
 */
public final class WasmInstance implements CpuWatchdog.Watched {

  private static final System.Logger LOG = System.getLogger("wasm");

  /** Where the instance is in its life. */
  public enum Phase {
    CREATED,
    /** {@code _initialize}/{@code _start}: only the start allow-list of hostcalls works. */
    INITIALIZING,
    /** Root context creation, {@code on_vm_start}, {@code on_configure}. */
    CONFIGURING,
    RUNNING,
    FAILED,
    CLOSED,
  }

  private final PluginServices plugin;
  private final WasmVm vm;
  private final GuestMemory memory;
  private final ModuleExports exports;
  private volatile Consumer<WasmInstance> failureListener;
  private final Map<Integer, ContextBase> contexts = new HashMap<>();
  private final List<RootContext> roots = new ArrayList<>();
  private int nextContextId = 1;
  private ContextBase effective;
  private int depth;
  private boolean inAllocator;
  private Phase phase = Phase.CREATED;
  private List<Runnable> afterCall = new ArrayList<>();
  private WasmFault fault;
  private int liveStreams;

  private final Object loopLock = new Object();
  private volatile EventLoop loop;
  private List<Runnable> pendingLoopTasks = new ArrayList<>();

  private final List<Runnable> closeListeners = new ArrayList<>();
  private boolean released;

  private volatile long callStartNanos;
  private volatile long callBudgetNanos;
  private volatile long callSeq;
  private volatile long callThreadId;

  private WasmInstance(PluginServices plugin, WasmVm vm, Consumer<WasmInstance> failureListener) {
    this.plugin = plugin;
    this.vm = vm;
    this.failureListener = failureListener;
    this.memory = new GuestMemory(vm, this::allocate);
    vm.link(HostFunctions.bind(this));
    this.exports = new ModuleExports(vm, plugin.module().version(), plugin.config().allowedCapabilities());
  }

  /**
   * Instantiates the plugin's module (running its start section) and starts it: the module's
   * initialisation, then the plugin's root context ({@code on_context_create},
   * {@code on_vm_start}, {@code on_configure}).
   *
   * @throws WasmException when instantiation traps or a start callback fails or returns false
   */
  public static WasmInstance start(PluginServices plugin, Consumer<WasmInstance> failureListener) {
    WasmInstance instance = create(plugin, failureListener);
    try {
      instance.addRoot(plugin);
    } catch (RuntimeException e) {
      instance.close();
      throw e;
    }
    return instance;
  }

  /**
   * Instantiates the module and runs its initialisation ({@code _initialize}/{@code _start}), with
   * no root context yet: {@link #addRoot} adds the plugins' roots.
   *
   * @throws WasmException when instantiation or initialisation fails
   */
  public static WasmInstance create(PluginServices plugin, Consumer<WasmInstance> failureListener) {
    WasmVm vm = plugin.compiled().newVm();
    plugin.runtimeStats().created.inc();
    plugin.runtimeStats().active.inc();
    WasmInstance instance;
    try {
      instance = new WasmInstance(plugin, vm, failureListener);
    } catch (WasmFault f) {
      vm.close();
      plugin.runtimeStats().active.dec();
      throw new WasmException("Wasm VM failed to instantiate: " + f.getMessage(), f);
    } catch (RuntimeException e) {
      vm.close();
      plugin.runtimeStats().active.dec();
      throw e;
    }
    try {
      instance.initialize();
    } catch (RuntimeException e) {
      instance.close();
      throw e;
    }
    return instance;
  }

  private void initialize() {
    plugin.watchdog().register(this);
    try {
      phase = Phase.INITIALIZING;
      if (exports.initialize != null) {
        callInit(exports.initialize);
        if (exports.main != null) {
          call(null, exports.main, 0, 0);
        }
      } else if (exports.start != null) {
        callInit(exports.start);
      }
      phase = Phase.RUNNING;
    } catch (WasmFault f) {
      throw new WasmException("Unable to create Wasm plugin " + plugin.config().name()
          + ": the VM failed while starting: " + f.getMessage(), f);
    }
  }

  /**
   * Starts {@code p}'s root context in this VM: {@code proxy_on_context_create},
   * {@code proxy_on_vm_start} (which cpp-host sends for every root), {@code proxy_on_configure}.
   * Call on the instance's loop once it is bound (before that, on the thread building it).
   *
   * @throws WasmException when a callback returns false (the root is dropped, the VM stays), or
   *     when the VM fails meanwhile (then the VM is failed for every root)
   */
  public RootContext addRoot(PluginServices p) {
    String name = p.config().name();
    RootContext r = new RootContext(nextContextId++, this, p);
    contexts.put(r.id(), r);
    roots.add(r);
    r.starting = true;
    boolean ok = false;
    try {
      if (exports.onContextCreate != null) {
        call(r, exports.onContextCreate, r.id(), 0);
      }
      if (exports.onVmStart != null) {
        r.inVmStart = true;
        long started;
        try {
          started = call(r, exports.onVmStart, r.id(), p.config().vmConfiguration().length);
        } finally {
          r.inVmStart = false;
        }
        if (started == 0) {
          throw new WasmException("Unable to create Wasm plugin " + name + ": proxy_on_vm_start returned false");
        }
      }
      if (exports.onConfigure != null) {
        r.inConfigure = true;
        long configured;
        try {
          configured = call(r, exports.onConfigure, r.id(), p.config().pluginConfiguration().length);
        } finally {
          r.inConfigure = false;
        }
        if (configured == 0) {
          throw new WasmException("Unable to create Wasm plugin " + name + ": proxy_on_configure returned false");
        }
      }
      ok = true;
      return r;
    } catch (WasmFault f) {
      throw new WasmException("Unable to create Wasm plugin " + name + ": the VM failed while starting: "
          + f.getMessage(), f);
    } finally {
      r.starting = false;
      if (!ok) {
        dropRoot(r);
      }
    }
  }

  /** Forgets a root without telling the module: its timers, callouts and queues go with it. */
  private void dropRoot(RootContext r) {
    if (r.removed) {
      return;
    }
    r.removed = true;
    if (r.tickTimer != null) {
      r.tickTimer.cancel();
      r.tickTimer = null;
    }
    r.tickPeriodMillis = 0;
    r.cancelCallouts();
    plugin.queues().unregisterOwner(r.queueOwner);
    contexts.remove(r.id());
    roots.remove(r);
  }

  /** Runs {@code _initialize}/{@code _start}; {@code proc_exit(0)} there is a normal end (see {@link #call}). */
  private void callInit(WasmFunction fn) {
    call(null, fn);
  }

  /**
   * Thrown by {@code proc_exit}. Code 0 while the module initialises ends initialisation normally
   * (commands call it after main); anywhere else it fails the VM as an abort, as Go and
   * AssemblyScript reach it from a panic or abort.
   */
  public static final class ExitFault extends WasmFault {
    final int code;

    public ExitFault(int code) {
      super(WasmFault.Kind.EXIT, "the module called proc_exit(" + code + ")");
      this.code = code;
    }

    public int code() {
      return code;
    }
  }

  /**
   * Binds a started instance to its loop; called on that loop. Deferred loop work (ticks, queue
   * and callout deliveries that arrived while it was starting) runs now.
   */
  public void activate(EventLoop eventLoop) {
    List<Runnable> tasks;
    synchronized (loopLock) {
      if (loop != null) {
        throw new IllegalStateException("already bound to " + loop.id());
      }
      loop = eventLoop;
      tasks = pendingLoopTasks;
      pendingLoopTasks = null;
    }
    for (RootContext r : List.copyOf(roots)) {
      if (r.tickPeriodMillis > 0 && r.tickTimer == null && usable()) {
        armTick(r);
      }
    }
    for (Runnable t : tasks) {
      if (usable()) {
        t.run();
      }
    }
  }

  /** Runs {@code task} on the instance's loop (later), if the instance is still usable then. */
  public void post(Runnable task) {
    EventLoop l;
    synchronized (loopLock) {
      l = loop;
      if (l == null) {
        if (pendingLoopTasks != null) {
          pendingLoopTasks.add(task);
        }
        return;
      }
    }
    l.execute(
        () -> {
          if (usable()) {
            task.run();
          }
        });
  }

  // The call path.

  /**
   * Calls {@code fn} with {@code ctx} as the effective context (null for the VM context during
   * initialisation). The outermost call is timed, watched by the CPU watchdog, and followed by the
   * deferred actions it queued. Returns the raw result.
   *
   * @throws WasmFault when the instance has failed or fails now
   */
  public long call(ContextBase ctx, WasmFunction fn, long... args) {
    if (fault != null) {
      throw fault;
    }
    if (phase == Phase.CLOSED) {
      throw new WasmFault(WasmFault.Kind.CLOSED, "the VM is closed");
    }
    boolean outermost = depth == 0;
    ContextBase saved = effective;
    effective = ctx;
    depth++;
    long start = 0;
    if (outermost) {
      callThreadId = Thread.currentThread().threadId();
      callSeq++;
      boolean starting = phase != Phase.RUNNING || (ctx instanceof RootContext r && r.starting);
      callBudgetNanos =
          (starting ? plugin.config().limits().startBudget() : plugin.config().limits().callBudget()).toNanos();
      start = System.nanoTime();
      callStartNanos = start == 0 ? 1 : start;
    }
    try {
      return fn.call(args);
    } catch (WasmFault f) {
      if (fault == null) {
        if (f instanceof ExitFault e && e.code == 0 && phase == Phase.INITIALIZING && outermost) {
          return 0; // a command module's normal end; see callInit
        }
        recordFault(f, ctx);
      }
      throw fault;
    } finally {
      depth--;
      effective = saved;
      if (outermost) {
        callStartNanos = 0;
        PluginServices p = pluginOf(ctx);
        p.stats().vmCalls.inc();
        p.stats().vmTimeUs.add((System.nanoTime() - start) / 1000);
        if (fault == null) {
          p.stats().observeMemory(vm.memorySize());
          runAfterCallActions();
        } else {
          finishFailure();
        }
      }
    }
  }

  private void runAfterCallActions() {
    while (!afterCall.isEmpty() && fault == null) {
      List<Runnable> actions = afterCall;
      afterCall = new ArrayList<>();
      for (Runnable a : actions) {
        try {
          a.run();
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.ERROR, "a deferred wasm stream action failed", e);
        }
      }
    }
  }

  /** Queues {@code action} to run when the running outermost call returns (cpp-host's addAfterVmCallAction). */
  public void defer(Runnable action) {
    if (depth == 0) {
      action.run();
    } else {
      afterCall.add(action);
    }
  }

  private void recordFault(WasmFault f, ContextBase ctx) {
    fault = f;
    phase = Phase.FAILED;
    PluginServices p = pluginOf(ctx);
    p.stats().vmFailed.inc();
    if (f.kind() == WasmFault.Kind.CPU_LIMIT) {
      p.stats().cpuLimitExceeded.inc();
    }
    LOG.log(
        System.Logger.Level.ERROR,
        "wasm VM of plugin " + p.config().name() + " failed and will be replaced: " + f.getMessage());
  }

  /** The plugin a call on {@code ctx} belongs to: its root's, or the VM's during initialisation. */
  public PluginServices pluginOf(ContextBase ctx) {
    return ctx == null ? plugin : ctx.root().plugin();
  }

  /** The plugin of the effective context (the VM's when there is none). */
  public PluginServices effectivePlugin() {
    return pluginOf(effective);
  }

  private void finishFailure() {
    afterCall.clear();
    release();
    failureListener.accept(this);
  }

  /** Allocates guest memory with the module's allocator, fencing hostcalls meanwhile. */
  private long allocate(int size) {
    WasmFunction malloc = exports.malloc;
    if (malloc == null) {
      return 0;
    }
    boolean saved = inAllocator;
    inAllocator = true;
    try {
      return malloc.call(size) & 0xFFFFFFFFL;
    } finally {
      inAllocator = saved;
    }
  }

  // CpuWatchdog.Watched

  @Override
  public long callStartNanos() {
    return callStartNanos;
  }

  @Override
  public long callBudgetNanos() {
    return callBudgetNanos;
  }

  @Override
  public long callSeq() {
    return callSeq;
  }

  @Override
  public long callThreadId() {
    return callThreadId;
  }

  @Override
  public void interrupt(long seq) {
    if (callSeq == seq && callStartNanos != 0) {
      LOG.log(
          System.Logger.Level.WARNING,
          "wasm call of plugin " + plugin.config().name() + " exceeded its CPU budget of "
              + plugin.config().limits().callBudget().toMillis() + " ms; interrupting it");
      vm.interrupt();
    }
  }

  // Contexts.

  /** The first root context (the plugin that started the VM), or null before any. */
  public RootContext root() {
    return roots.isEmpty() ? null : roots.getFirst();
  }

  /** Every live root context, in the order they were added. */
  public List<RootContext> roots() {
    return List.copyOf(roots);
  }

  /** Who is told when this instance fails (the VM replica that took it over). */
  public void setFailureListener(Consumer<WasmInstance> listener) {
    this.failureListener = listener;
  }

  /** The effective context of the running call (null during initialisation). */
  public ContextBase effective() {
    return effective;
  }

  /** {@code proxy_set_effective_context}: true when {@code id} names a live context. */
  public boolean setEffective(int id) {
    ContextBase c = contexts.get(id);
    if (c == null) {
      return false;
    }
    effective = c;
    return true;
  }

  public ContextBase context(int id) {
    return contexts.get(id);
  }

  /** A new stream context under {@code root}; the module hears of it at the stream's first callback. */
  public StreamContext newStreamContext(RootContext root, StreamHost host) {
    StreamContext c = new StreamContext(nextContextId++, this, root, host);
    contexts.put(c.id(), c);
    liveStreams++;
    root.liveStreams++;
    return c;
  }

  /** Forgets a stream context after {@code proxy_on_delete}. */
  public void removeContext(StreamContext c) {
    if (contexts.remove(c.id()) != null) {
      liveStreams--;
      c.root().liveStreams--;
    }
  }

  /** Streams of every root not yet destroyed. */
  public int liveStreams() {
    return liveStreams;
  }

  // Accessors for host functions.

  public PluginServices plugin() {
    return plugin;
  }

  public AbiVersion version() {
    return plugin.module().version();
  }

  public GuestMemory memory() {
    return memory;
  }

  public ModuleExports exports() {
    return exports;
  }

  /** Any exported function by name, or null (tests and diagnostics; callbacks use {@link #exports()}). */
  public WasmFunction function(String name) {
    return vm.function(name);
  }

  public Phase phase() {
    return phase;
  }

  public boolean inAllocator() {
    return inAllocator;
  }

  public EventLoop loop() {
    return loop;
  }

  public WasmFault fault() {
    return fault;
  }

  /** True while calls may still be made: started or starting, not failed, not closed. */
  public boolean usable() {
    return fault == null && phase != Phase.CLOSED;
  }

  public long memorySize() {
    return usable() ? vm.memorySize() : 0;
  }

  // Timers.

  /** {@code proxy_set_tick_period_milliseconds} for {@code r}: 0 stops the tick. */
  public void setTickPeriod(RootContext r, long millis) {
    r.tickPeriodMillis = millis;
    if (r.tickTimer != null) {
      r.tickTimer.cancel();
      r.tickTimer = null;
    }
    if (millis > 0 && loop != null) {
      armTick(r);
    }
  }

  private void armTick(RootContext r) {
    EventLoop l = loop;
    r.tickTimer =
        l.schedule(
            r.tickPeriodMillis,
            () -> {
              r.tickTimer = null;
              if (!usable()) {
                return;
              }
              if (exports.onTick != null) {
                try {
                  call(r, exports.onTick, r.id());
                } catch (WasmFault f) {
                  return;
                }
              }
              if (usable() && r.tickPeriodMillis > 0 && r.tickTimer == null) {
                armTick(r);
              }
            });
  }

  // Deliveries to the root context (on the loop).

  void deliverQueueReady(RootContext r, int queueId) {
    if (exports.onQueueReady != null && !r.removed) {
      callQuietly(r, exports.onQueueReady, r.id(), queueId);
    }
  }

  /** Delivers an HTTP call's response (or failure when {@code headers} is null) to the root context. */
  public void deliverHttpCallResponse(
      RootContext r, int token, HeaderMap headers, byte[] body, HeaderMap trailers, String failure) {
    if (r.httpCalls.remove(token) == null) {
      return; // cancelled
    }
    if (exports.onHttpCallResponse == null) {
      return;
    }
    RootContext.CallbackState s = r.callback;
    if (headers == null) {
      r.statusCode = WasmResult.BROKEN_CONNECTION.code();
      r.statusMessage = failure == null ? "reset" : failure;
      s.httpCallHeaders = null;
      s.httpCallBody = null;
      s.httpCallTrailers = null;
    } else {
      r.statusCode = WasmResult.OK.code();
      r.statusMessage = "";
      s.httpCallHeaders = headers;
      s.httpCallBody = body;
      s.httpCallTrailers = trailers;
    }
    try {
      callQuietly(
          r,
          exports.onHttpCallResponse,
          r.id(),
          token,
          headers == null ? 0 : headers.size(),
          body == null || headers == null ? 0 : body.length,
          trailers == null || headers == null ? 0 : trailers.size());
    } finally {
      s.httpCallHeaders = null;
      s.httpCallBody = null;
      s.httpCallTrailers = null;
    }
  }

  public void deliverGrpcInitialMetadata(RootContext r, int token, HeaderMap md) {
    if (!r.grpcStreams.containsKey(token) && !r.grpcCalls.containsKey(token)) {
      return;
    }
    if (exports.onGrpcReceiveInitialMetadata == null) {
      return;
    }
    r.callback.grpcInitialMetadata = md;
    try {
      callQuietly(r, exports.onGrpcReceiveInitialMetadata, r.id(), token, md.size());
    } finally {
      r.callback.grpcInitialMetadata = null;
    }
  }

  public void deliverGrpcMessage(RootContext r, int token, byte[] message, boolean unary) {
    if (unary ? r.grpcCalls.remove(token) == null : !r.grpcStreams.containsKey(token)) {
      return;
    }
    if (exports.onGrpcReceive == null) {
      return;
    }
    r.callback.grpcMessage = message;
    try {
      callQuietly(r, exports.onGrpcReceive, r.id(), token, message.length);
    } finally {
      r.callback.grpcMessage = null;
    }
  }

  public void deliverGrpcTrailingMetadata(RootContext r, int token, HeaderMap md) {
    if (!r.grpcStreams.containsKey(token) && !r.grpcCalls.containsKey(token)) {
      return;
    }
    if (exports.onGrpcReceiveTrailingMetadata == null) {
      return;
    }
    r.callback.grpcTrailingMetadata = md;
    try {
      callQuietly(r, exports.onGrpcReceiveTrailingMetadata, r.id(), token, md.size());
    } finally {
      r.callback.grpcTrailingMetadata = null;
    }
  }

  public void deliverGrpcClose(RootContext r, int token, int status, String message) {
    boolean known = r.grpcCalls.remove(token) != null | r.grpcStreams.remove(token) != null;
    if (!known || exports.onGrpcClose == null) {
      return;
    }
    r.statusCode = status;
    r.statusMessage = message == null ? "" : message;
    callQuietly(r, exports.onGrpcClose, r.id(), token, status);
  }

  /**
   * An access logger's {@code proxy_on_log} on the root context (Envoy's {@code Wasm::log}):
   * during the call, the root context reads {@code entry}'s headers (read-only) and properties.
   */
  public void deliverLog(RootContext root, AccessLogEntry entry) {
    if (exports.onLog == null || root.removed) {
      return;
    }
    root.logEntry = entry;
    try {
      callQuietly(root, exports.onLog, root.id());
    } finally {
      root.logEntry = null;
    }
  }

  /** Calls {@code proxy_on_foreign_function} on the root context with {@code args} as CALL_DATA. */
  public void deliverForeignFunction(RootContext root, int functionId, byte[] args) {
    if (exports.onForeignFunction == null || root.removed) {
      return;
    }
    root.callback.foreignFunctionArgs = args;
    try {
      callQuietly(root, exports.onForeignFunction, root.id(), functionId, args.length);
    } finally {
      root.callback.foreignFunctionArgs = null;
    }
  }

  /** A call whose fault has already been recorded and reported; nothing more to do here. */
  private void callQuietly(ContextBase ctx, WasmFunction fn, long... args) {
    try {
      call(ctx, fn, args);
    } catch (WasmFault f) {
      // The instance is failed and its replica is being rebuilt.
    }
  }

  // Shutdown.

  /**
   * Ends {@code r} ({@code on_done}; {@code on_delete} unless the module asked to finish later with
   * {@code proxy_done}) and forgets it. Called on the loop when its plugin is removed and its
   * streams are gone. Returns true when the root ended now; {@code onEnded} runs once it ended
   * (now, after {@code proxy_done}, or when the VM is released).
   */
  public boolean shutdownRoot(RootContext r, Runnable onEnded) {
    if (r.removed) {
      onEnded.run();
      return true;
    }
    r.onEnded = onEnded;
    if (!usable()) {
      endRoot(r);
      return true;
    }
    try {
      long done = exports.onDone == null ? 1 : call(r, exports.onDone, r.id());
      if (done == 0 && usable()) {
        r.pendingDone = true;
        return false;
      }
      if (exports.onDelete != null && usable()) {
        call(r, exports.onDelete, r.id());
      }
    } catch (WasmFault f) {
      // Failed while shutting down: the root is gone either way.
    }
    endRoot(r);
    return true;
  }

  /** Ends {@code r} without asking the module (a root that never called {@code proxy_done}). */
  public void abandonRoot(RootContext r) {
    endRoot(r);
  }

  private void endRoot(RootContext r) {
    if (r.removed) {
      return;
    }
    dropRoot(r);
    Runnable ended = r.onEnded;
    r.onEnded = null;
    if (ended != null) {
      ended.run();
    }
  }

  /**
   * Ends every root ({@link #shutdownRoot}) and closes the VM once they all ended. Returns true
   * when it closed now.
   */
  public boolean shutdown() {
    for (RootContext r : List.copyOf(roots)) {
      shutdownRoot(r, () -> {
        if (roots.isEmpty()) {
          close();
        }
      });
    }
    if (roots.isEmpty()) {
      close();
      return true;
    }
    return false;
  }

  /** {@code proxy_done}: finishes the effective root if it answered false to {@code on_done}. */
  public boolean finishPendingDone() {
    RootContext root = effective == null ? null : effective.root();
    if (root == null || !root.pendingDone) {
      return false;
    }
    root.pendingDone = false;
    post(
        () -> {
          try {
            if (exports.onDelete != null && !root.removed) {
              call(root, exports.onDelete, root.id());
            }
          } catch (WasmFault f) {
            // ended below either way
          }
          endRoot(root);
        });
    return true;
  }

  /** Closes the VM without telling the module. Idempotent. */
  public void close() {
    if (phase == Phase.CLOSED) {
      return;
    }
    boolean failed = fault != null;
    phase = Phase.CLOSED;
    if (!failed) {
      release();
    }
  }

  /** Runs {@code r} when the VM is released, by close or failure (at once if it already is). */
  public void onClose(Runnable r) {
    if (closed()) {
      r.run();
    } else {
      closeListeners.add(r);
    }
  }

  /** True once the VM is released: closed, or failed and unwound. */
  public boolean closed() {
    return released;
  }

  private void release() {
    released = true;
    List<RootContext> gone = List.copyOf(roots);
    for (RootContext r : gone) {
      dropRoot(r);
    }
    synchronized (loopLock) {
      pendingLoopTasks = null;
    }
    plugin.watchdog().unregister(this);
    vm.close();
    plugin.runtimeStats().active.dec();
    List<Runnable> listeners = new ArrayList<>(closeListeners);
    closeListeners.clear();
    for (Runnable r : listeners) {
      r.run();
    }
    // Roots still waiting to end (proxy_done pending, or the VM failed) end with the VM.
    for (RootContext r : gone) {
      Runnable ended = r.onEnded;
      r.onEnded = null;
      if (ended != null) {
        ended.run();
      }
    }
  }
}
