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
 * One VM instance of a plugin with its proxy-wasm state (cpp-host's {@code WasmBase} plus the
 * context registry): the contexts by id, the effective context of the running call, the actions
 * deferred until the call returns, and the failure that ends the instance.
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
  private final SharedQueueRegistry.Owner queueOwner;
  private int nextContextId = 1;
  private RootContext root;
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
    this.queueOwner = queueId -> post(() -> deliverQueueReady(queueId));
    vm.link(HostFunctions.bind(this));
    this.exports = new ModuleExports(vm, plugin.module().version(), plugin.config().allowedCapabilities());
  }

  /**
   * Instantiates the plugin's module (running its start section) and starts it: the module's
   * initialisation, then the root context's {@code on_context_create}, {@code on_vm_start} and
   * {@code on_configure}.
   *
   * @throws WasmException when instantiation traps or a start callback fails or returns false
   */
  public static WasmInstance start(PluginServices plugin, Consumer<WasmInstance> failureListener) {
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
      instance.startVm();
    } catch (RuntimeException e) {
      instance.close();
      throw e;
    }
    return instance;
  }

  private void startVm() {
    plugin.watchdog().register(this);
    String name = plugin.config().name();
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
      phase = Phase.CONFIGURING;
      root = new RootContext(nextContextId++, this);
      contexts.put(root.id(), root);
      if (exports.onContextCreate != null) {
        call(root, exports.onContextCreate, root.id(), 0);
      }
      if (exports.onVmStart != null) {
        root.inVmStart = true;
        long ok;
        try {
          ok = call(root, exports.onVmStart, root.id(), plugin.config().vmConfiguration().length);
        } finally {
          root.inVmStart = false;
        }
        if (ok == 0) {
          throw new WasmException("Unable to create Wasm plugin " + name + ": proxy_on_vm_start returned false");
        }
      }
      if (exports.onConfigure != null) {
        root.inConfigure = true;
        long ok;
        try {
          ok = call(root, exports.onConfigure, root.id(), plugin.config().pluginConfiguration().length);
        } finally {
          root.inConfigure = false;
        }
        if (ok == 0) {
          throw new WasmException("Unable to create Wasm plugin " + name + ": proxy_on_configure returned false");
        }
      }
      phase = Phase.RUNNING;
    } catch (WasmFault f) {
      throw new WasmException("Unable to create Wasm plugin " + name + ": the VM failed while starting: " + f.getMessage(), f);
    }
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
    if (root != null && root.tickPeriodMillis > 0 && root.tickTimer == null && usable()) {
      armTick(root);
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
      callBudgetNanos =
          (phase == Phase.RUNNING ? plugin.config().limits().callBudget() : plugin.config().limits().startBudget())
              .toNanos();
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
        recordFault(f);
      }
      throw fault;
    } finally {
      depth--;
      effective = saved;
      if (outermost) {
        callStartNanos = 0;
        plugin.stats().vmCalls.inc();
        plugin.stats().vmTimeUs.add((System.nanoTime() - start) / 1000);
        if (fault == null) {
          plugin.stats().observeMemory(vm.memorySize());
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

  private void recordFault(WasmFault f) {
    fault = f;
    phase = Phase.FAILED;
    plugin.stats().vmFailed.inc();
    if (f.kind() == WasmFault.Kind.CPU_LIMIT) {
      plugin.stats().cpuLimitExceeded.inc();
    }
    LOG.log(
        System.Logger.Level.ERROR,
        "wasm VM of plugin " + plugin.config().name() + " failed and will be replaced: " + f.getMessage());
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

  public RootContext root() {
    return root;
  }

  /** Who is told when this instance fails (the replica that took it over). */
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

  /** A new stream context under the root; the module hears of it at the stream's first callback. */
  public StreamContext newStreamContext(StreamHost host) {
    StreamContext c = new StreamContext(nextContextId++, this, root, host);
    contexts.put(c.id(), c);
    liveStreams++;
    return c;
  }

  /** Forgets a stream context after {@code proxy_on_delete}. */
  public void removeContext(StreamContext c) {
    if (contexts.remove(c.id()) != null) {
      liveStreams--;
    }
  }

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

  public SharedQueueRegistry.Owner queueOwner() {
    return queueOwner;
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

  private void deliverQueueReady(int queueId) {
    if (exports.onQueueReady != null && root != null) {
      callQuietly(root, exports.onQueueReady, root.id(), queueId);
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
  public void deliverLog(AccessLogEntry entry) {
    if (exports.onLog == null || root == null) {
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
  public void deliverForeignFunction(int functionId, byte[] args) {
    if (exports.onForeignFunction == null || root == null) {
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
   * Ends the root context ({@code on_done}; {@code on_delete} unless the module asked to finish
   * later with {@code proxy_done}) and closes the instance. Called on the loop when the plugin is
   * removed and the replica has drained. Returns true when the instance closed now.
   */
  public boolean shutdown() {
    if (!usable() || root == null) {
      close();
      return true;
    }
    try {
      long done = exports.onDone == null ? 1 : call(root, exports.onDone, root.id());
      if (done == 0) {
        root.pendingDone = true;
        return false;
      }
      if (exports.onDelete != null) {
        call(root, exports.onDelete, root.id());
      }
    } catch (WasmFault f) {
      // Failed while shutting down: it is closed either way.
    }
    close();
    return true;
  }

  /** {@code proxy_done}: finishes a root context that answered false to {@code on_done}. */
  public boolean finishPendingDone() {
    if (root == null || !root.pendingDone) {
      return false;
    }
    root.pendingDone = false;
    post(
        () -> {
          try {
            if (exports.onDelete != null) {
              call(root, exports.onDelete, root.id());
            }
          } catch (WasmFault f) {
            // closed below either way
          }
          close();
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
    if (root != null) {
      if (root.tickTimer != null) {
        root.tickTimer.cancel();
        root.tickTimer = null;
      }
      root.tickPeriodMillis = 0;
      root.cancelCallouts();
    }
    synchronized (loopLock) {
      pendingLoopTasks = null;
    }
    plugin.queues().unregisterOwner(queueOwner);
    plugin.watchdog().unregister(this);
    vm.close();
    plugin.runtimeStats().active.dec();
    List<Runnable> listeners = new ArrayList<>(closeListeners);
    closeListeners.clear();
    for (Runnable r : listeners) {
      r.run();
    }
  }
}
