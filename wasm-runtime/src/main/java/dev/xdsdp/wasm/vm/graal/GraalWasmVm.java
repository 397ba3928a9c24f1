package dev.xdsdp.wasm.vm.graal;

import dev.xdsdp.wasm.vm.FuncType;
import dev.xdsdp.wasm.vm.HostFunction;
import dev.xdsdp.wasm.vm.HostImport;
import dev.xdsdp.wasm.vm.ValType;
import dev.xdsdp.wasm.vm.WasmFault;
import dev.xdsdp.wasm.vm.WasmFunction;
import dev.xdsdp.wasm.vm.WasmVm;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * A {@link WasmVm} on GraalWasm: one polyglot {@link Context} holding one module instance. The
 * only class (with {@link GraalEngineCache}) that touches {@code org.graalvm.polyglot}.
 *
 * <p>Guest memory is read through a direct {@link ByteBuffer} over the engine's native memory
 * ({@code wasm.DirectByteBufferMemoryAccess}); polyglot buffer calls cost ~150-300 ns per access,
 * the ByteBuffer a few. Growing memory reallocates it, so a grow callback marks the buffer stale.
 */
public final class GraalWasmVm implements WasmVm {

  private static final System.Logger LOG = System.getLogger("wasm");

  private final Engine engine;
  private final Source source;
  private Context context;
  private Value exports;
  private Value memoryValue;
  private Value memAsByteBuffer;
  private ByteBuffer memory;
  private boolean memoryStale = true;
  private final Map<String, GraalFunction> functions = new HashMap<>();
  private volatile boolean interruptRequested;
  private volatile boolean closed;

  GraalWasmVm(Engine engine, Source source) {
    this.engine = engine;
    this.source = source;
  }

  @Override
  public void link(List<HostImport> imports) {
    if (context != null) {
      throw new IllegalStateException("already linked");
    }
    context = Context.newBuilder("wasm").engine(engine).allowPolyglotAccess(PolyglotAccess.ALL).build();
    Map<String, Map<String, Object>> byModule = new LinkedHashMap<>();
    for (HostImport imp : imports) {
      byModule.computeIfAbsent(imp.module(), m -> new HashMap<>()).put(imp.name(), adapt(imp));
    }
    Map<String, Object> importObject = new HashMap<>();
    byModule.forEach((module, fns) -> importObject.put(module, ProxyObject.fromMap(fns)));
    try {
      Value module = context.eval(source);
      Value webAssembly = context.getPolyglotBindings().getMember("WebAssembly");
      memAsByteBuffer = webAssembly.getMember("mem_as_byte_buffer");
      webAssembly
          .getMember("mem_set_grow_callback")
          .execute((ProxyExecutable) args -> {
                memoryStale = true;
                return null;
              });
      Value instance = module.newInstance(ProxyObject.fromMap(importObject));
      exports = instance.getMember("exports");
      Value mem = exports.getMember("memory");
      memoryValue = mem != null && mem.hasBufferElements() ? mem : null;
    } catch (PolyglotException e) {
      throw fault(e, "instantiate");
    }
  }

  private ProxyExecutable adapt(HostImport imp) {
    FuncType type = imp.type();
    List<ValType> params = type.params();
    int n = params.size();
    boolean[] wide = new boolean[n];
    for (int i = 0; i < n; i++) {
      wide[i] = params.get(i) == ValType.I64;
    }
    ValType result = type.result();
    HostFunction fn = imp.function();
    String name = imp.qualifiedName();
    return new ProxyExecutable() {
      // The argument array is reused: a VM runs on one thread, host functions read their
      // arguments before they return, and a call of the same import nested inside this one (the
      // guest re-entered through its allocator) gets a fresh array. Per-call arrays were the
      // largest allocation site of a proxy running a header-editing filter.
      private long[] spare = new long[n];

      @Override
      public Object execute(Value... args) {
        long[] a = spare;
        if (a == null) {
          a = new long[n];
        } else {
          spare = null;
        }
        long r;
        try {
          for (int i = 0; i < n; i++) {
            a[i] = i >= args.length ? 0 : wide[i] ? args[i].asLong() : args[i].asInt();
          }
          r = fn.call(a);
        } catch (WasmFault f) {
          throw f;
        } catch (RuntimeException | Error e) {
          LOG.log(System.Logger.Level.ERROR, "host function " + name + " failed", e);
          throw new WasmFault(WasmFault.Kind.HOST_ERROR, "host function " + name + " failed: " + e, e);
        } finally {
          spare = a;
        }
        if (result == null) {
          return null;
        }
        return result == ValType.I64 ? (Object) r : (Object) (int) r;
      }
    };
  }

  @Override
  public WasmFunction function(String name) {
    if (closed) {
      throw new WasmFault(WasmFault.Kind.CLOSED, name + ": the VM is closed");
    }
    GraalFunction cached = functions.get(name);
    if (cached != null) {
      return cached;
    }
    if (exports == null) {
      return null;
    }
    Value v = exports.getMember(name);
    if (v == null || !v.canExecute()) {
      return null;
    }
    GraalFunction fn = new GraalFunction(name, v);
    functions.put(name, fn);
    return fn;
  }

  @Override
  public ByteBuffer memory() {
    if (memoryValue == null) {
      throw new IllegalStateException("module exports no memory");
    }
    if (memoryStale || memory == null) {
      try {
        ByteBuffer b = memAsByteBuffer.execute(memoryValue).asHostObject();
        memory = b.order(ByteOrder.LITTLE_ENDIAN);
        memoryStale = false;
      } catch (PolyglotException e) {
        throw fault(e, "memory");
      }
    }
    return memory;
  }

  @Override
  public long memorySize() {
    return memoryValue == null || closed ? 0 : memory().capacity();
  }

  @Override
  public void interrupt() {
    Context c = context;
    if (c == null || closed) {
      return;
    }
    interruptRequested = true;
    try {
      c.interrupt(Duration.ofSeconds(2));
    } catch (TimeoutException e) {
      // The thread sits in host code that never returns to the guest; cancel the whole context.
      LOG.log(System.Logger.Level.WARNING, "wasm VM did not stop within 2s of an interrupt; cancelling it");
      close();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "interrupt failed: " + e);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    functions.clear();
    memory = null;
    Context c = context;
    if (c != null) {
      try {
        c.close(true);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing a wasm context: " + e);
      }
    }
  }

  private WasmFault fault(PolyglotException e, String what) {
    if (e.isHostException()) {
      Throwable h = e.asHostException();
      if (h instanceof WasmFault f) {
        return f;
      }
      return new WasmFault(WasmFault.Kind.HOST_ERROR, what + ": " + h, h);
    }
    if (e.isInterrupted() || e.isCancelled()) {
      if (interruptRequested) {
        return new WasmFault(WasmFault.Kind.CPU_LIMIT, what + " exceeded its CPU budget and was interrupted");
      }
      return new WasmFault(WasmFault.Kind.CLOSED, what + " was cancelled: the VM was closed");
    }
    if (e.isResourceExhausted()) {
      return new WasmFault(WasmFault.Kind.TRAP, what + ": resource exhausted: " + e.getMessage());
    }
    return new WasmFault(WasmFault.Kind.TRAP, what + ": " + e.getMessage());
  }

  private final class GraalFunction implements WasmFunction {
    private final String name;
    private final Value value;

    GraalFunction(String name, Value value) {
      this.name = name;
      this.value = value;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public long call(long... args) {
      if (closed) {
        throw new WasmFault(WasmFault.Kind.CLOSED, name + ": the VM is closed");
      }
      Object[] boxed = new Object[args.length];
      for (int i = 0; i < args.length; i++) {
        boxed[i] = (int) args[i];
      }
      try {
        Value r = value.execute(boxed);
        if (r == null || !r.isNumber()) {
          return 0; // a function returning nothing
        }
        return r.fitsInInt() ? r.asInt() : r.asLong();
      } catch (PolyglotException e) {
        throw fault(e, name);
      } catch (IllegalStateException e) {
        throw new WasmFault(WasmFault.Kind.CLOSED, name + ": " + e.getMessage(), e);
      }
    }
  }
}
