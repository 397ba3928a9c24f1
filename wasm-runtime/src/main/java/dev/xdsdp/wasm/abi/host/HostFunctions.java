package dev.xdsdp.wasm.abi.host;

import dev.xdsdp.wasm.abi.ImportSpec;
import dev.xdsdp.wasm.abi.ImportTable;
import dev.xdsdp.wasm.abi.WasmResult;
import dev.xdsdp.wasm.abi.memory.MemoryAccessException;
import dev.xdsdp.wasm.abi.wasi.WasiErrno;
import dev.xdsdp.wasm.abi.wasi.WasiFunctions;
import dev.xdsdp.wasm.context.WasmInstance;
import dev.xdsdp.wasm.metrics.PluginStats;
import dev.xdsdp.wasm.module.ModuleInfo;
import dev.xdsdp.wasm.vm.HostFunction;
import dev.xdsdp.wasm.vm.HostImport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds the imports a module declares to this host's implementations for one instance. Each
 * binding is wrapped with what every hostcall shares: the allocator and start-up fences, the
 * conversion of bad guest pointers into {@code INVALID_MEMORY_ACCESS} / WASI {@code FAULT}, and
 * the per-function call count and time. A function we do not implement, or that capability
 * restriction denies, links to a stub that names itself in the log and returns an error, so
 * linking never fails for a function in the {@link ImportTable}.
 */
public final class HostFunctions {

  private static final System.Logger LOG = System.getLogger("wasm");

  /** Hostcalls allowed while the guest allocator runs (Go's GC may log or sleep). */
  static final Set<String> ALLOWED_IN_ALLOCATOR =
      Set.of("proxy_log", "fd_write", "clock_time_get", "poll_oneoff", "proxy_get_log_level");

  /** proxy-wasm hostcalls allowed during {@code _initialize}/{@code _start}; every WASI call is. */
  static final Set<String> ALLOWED_AT_START =
      Set.of("proxy_log", "proxy_get_log_level", "proxy_get_current_time_nanoseconds");

  /** WASI functions capability restriction never denies (cpp-host's list). */
  static final Set<String> WASI_ALWAYS_ALLOWED =
      Set.of(
          "fd_write", "fd_read", "fd_seek", "fd_close", "fd_fdstat_get", "environ_get", "environ_sizes_get",
          "args_get", "args_sizes_get", "proc_exit", "clock_time_get", "random_get");

  private HostFunctions() {}

  /** Collects implementations by qualified name; WASI ones under both WASI module names. */
  public static final class Registrar {
    private final Map<String, HostFunction> byName = new HashMap<>();

    void env(String name, HostFunction fn) {
      byName.put(ImportTable.ENV + "." + name, fn);
    }

    public void wasi(String name, HostFunction fn) {
      byName.put(ImportTable.WASI + "." + name, fn);
      byName.put(ImportTable.WASI_UNSTABLE + "." + name, fn);
    }

    HostFunction get(String qualifiedName) {
      return byName.get(qualifiedName);
    }

    Set<String> names() {
      return byName.keySet();
    }
  }

  /** Every implementation, registered for {@code instance}. */
  static Registrar implementations(WasmInstance instance) {
    Registrar r = new Registrar();
    new GeneralFunctions(instance).register(r);
    new BufferFunctions(instance).register(r);
    new HeaderMapFunctions(instance).register(r);
    new StreamFunctions(instance).register(r);
    new PropertyFunctions(instance).register(r);
    new SharedDataFunctions(instance).register(r);
    new SharedQueueFunctions(instance).register(r);
    new MetricFunctions(instance).register(r);
    new HttpCallFunctions(instance).register(r);
    new GrpcFunctions(instance).register(r);
    new ForeignFunctionCalls(instance).register(r);
    new WasiFunctions(instance).register(r);
    return r;
  }

  /** The qualified names with a real implementation (tests check the table against it). */
  public static Set<String> implementedNames(WasmInstance instance) {
    return Set.copyOf(implementations(instance).names());
  }

  /** The imports of {@code instance}'s module, bound. */
  public static List<HostImport> bind(WasmInstance instance) {
    Registrar impls = implementations(instance);
    ModuleInfo info = instance.plugin().module().info();
    ImportTable table = ImportTable.forVersion(instance.version());
    Set<String> allowed = instance.plugin().config().allowedCapabilities();
    PluginStats stats = instance.plugin().stats();
    List<HostImport> out = new ArrayList<>();
    for (ModuleInfo.Import imp : info.imports()) {
      ImportSpec spec = table.find(imp.module(), imp.name());
      if (spec == null || imp.kind() != ModuleInfo.Kind.FUNCTION) {
        // The validator refused such modules; keep linking total anyway.
        continue;
      }
      boolean wasi = !imp.module().equals(ImportTable.ENV);
      HostFunction impl = impls.get(spec.qualifiedName());
      if (impl == null) {
        impl = stub(spec, wasi ? WasiErrno.NOSYS : WasmResult.UNIMPLEMENTED.code(), "is not implemented by this host");
      } else if (!allowed.isEmpty()
          && !allowed.contains(imp.name())
          && !(wasi && WASI_ALWAYS_ALLOWED.contains(imp.name()))) {
        impl =
            stub(
                spec,
                wasi ? WasiErrno.NOTCAPABLE : WasmResult.INTERNAL_FAILURE.code(),
                "is denied by the plugin's capability restriction");
      }
      out.add(new HostImport(imp.module(), imp.name(), imp.type(), wrap(instance, imp.name(), wasi, impl, stats)));
    }
    return out;
  }

  private static HostFunction stub(ImportSpec spec, long result, String why) {
    String message = "hostcall " + spec.qualifiedName() + " " + spec.type() + " " + why + "; returning " + result;
    boolean[] logged = {false};
    return args -> {
      if (!logged[0]) {
        logged[0] = true;
        LOG.log(System.Logger.Level.WARNING, message);
      }
      return result;
    };
  }

  private static HostFunction wrap(
      WasmInstance instance, String name, boolean wasi, HostFunction impl, PluginStats stats) {
    PluginStats.HostCall counters = stats.hostCall(name);
    boolean allowedInAllocator = ALLOWED_IN_ALLOCATOR.contains(name);
    boolean allowedAtStart = wasi || ALLOWED_AT_START.contains(name);
    long refused = wasi ? WasiErrno.NOTCAPABLE : WasmResult.INTERNAL_FAILURE.code();
    long badMemory = wasi ? WasiErrno.FAULT : WasmResult.INVALID_MEMORY_ACCESS.code();
    return args -> {
      if (instance.inAllocator() && !allowedInAllocator) {
        LOG.log(System.Logger.Level.WARNING, "hostcall " + name + " is not allowed while the guest allocator runs");
        return refused;
      }
      if (instance.phase() == WasmInstance.Phase.INITIALIZING && !allowedAtStart) {
        LOG.log(System.Logger.Level.WARNING, "hostcall " + name + " is not allowed while the VM initialises (as in Envoy)");
        return refused;
      }
      long start = System.nanoTime();
      try {
        return impl.call(args);
      } catch (MemoryAccessException e) {
        LOG.log(System.Logger.Level.DEBUG, () -> "hostcall " + name + ": " + e.getMessage());
        return badMemory;
      } finally {
        counters.calls().inc();
        counters.timeNs().add(System.nanoTime() - start);
      }
    };
  }
}
