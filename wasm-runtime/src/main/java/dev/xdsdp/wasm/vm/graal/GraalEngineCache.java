package dev.xdsdp.wasm.vm.graal;

import dev.xdsdp.wasm.vm.CompiledModule;
import dev.xdsdp.wasm.vm.VmKey;
import dev.xdsdp.wasm.vm.WasmEngine;
import dev.xdsdp.wasm.vm.WasmVm;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.io.ByteSequence;

/**
 * The GraalWasm {@link WasmEngine}: one polyglot {@link Engine} per {@link VmKey}, so the code of
 * a module is parsed, validated and JIT-compiled once and shared by every per-loop instance.
 * Engines are reference-counted and closed when the last module using them is released.
 */
public final class GraalEngineCache implements WasmEngine {

  private static final System.Logger LOG = System.getLogger("wasm");

  private final Map<VmKey, Entry> entries = new HashMap<>();
  private final Map<VmKey, java.util.concurrent.CompletableFuture<Entry>> compiling = new HashMap<>();
  private final String implementationName;
  private boolean closed;

  public GraalEngineCache() {
    try (Engine probe = newEngine()) {
      this.implementationName = probe.getImplementationName();
    }
  }

  private static Engine newEngine() {
    return Engine.newBuilder("wasm")
        .allowExperimentalOptions(true)
        // We warn ourselves (and count it in a metric) when the JIT is missing.
        .option("engine.WarnInterpreterOnly", "false")
        // Direct ByteBuffer access to guest memory; it requires the Unsafe-backed memory.
        .option("wasm.UseUnsafeMemory", "true")
        .option("wasm.DirectByteBufferMemoryAccess", "true")
        .logHandler(new LoggerHandler())
        .build();
  }

  @Override
  public String name() {
    return "graalwasm";
  }

  @Override
  public boolean jitEnabled() {
    return !"Interpreted".equalsIgnoreCase(implementationName);
  }

  @Override
  public String implementationName() {
    return implementationName;
  }

  /**
   * Compiles outside the lock: modules with different keys compile in parallel; callers asking
   * for a key being compiled wait for that one compile.
   */
  @Override
  public CompiledModule compile(VmKey key, byte[] bytes) {
    java.util.concurrent.CompletableFuture<Entry> mine = null;
    java.util.concurrent.CompletableFuture<Entry> pending;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("engine closed");
      }
      Entry existing = entries.get(key);
      if (existing != null) {
        existing.refs++;
        return existing;
      }
      pending = compiling.get(key);
      if (pending == null) {
        mine = new java.util.concurrent.CompletableFuture<>();
        compiling.put(key, mine);
        pending = mine;
      }
    }
    if (mine == null) {
      Entry e = pending.join();
      synchronized (this) {
        if (entries.get(key) == e && e.refs > 0) {
          e.refs++;
          return e;
        }
      }
      return compile(key, bytes); // released meanwhile: compile again
    }
    try {
      Engine engine = newEngine();
      Source source = Source.newBuilder("wasm", ByteSequence.create(bytes), sourceName(key)).buildLiteral();
      // Evaluating a module in a throwaway context parses and validates it; the engine keeps the
      // parsed module, so every later per-loop context only instantiates.
      try (Context probe =
          Context.newBuilder("wasm").engine(engine).allowPolyglotAccess(PolyglotAccess.ALL).build()) {
        probe.eval(source);
      } catch (PolyglotException e) {
        engine.close();
        throw new IllegalArgumentException("GraalWasm rejected the module: " + e.getMessage(), e);
      }
      Entry entry = new Entry(key, engine, source);
      synchronized (this) {
        compiling.remove(key);
        entries.put(key, entry);
      }
      mine.complete(entry);
      return entry;
    } catch (RuntimeException e) {
      synchronized (this) {
        compiling.remove(key);
      }
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private static String sourceName(VmKey key) {
    String id = key.vmId().isEmpty() ? "module" : key.vmId().replaceAll("[^A-Za-z0-9_.-]", "_");
    return id + "-" + key.sha256().substring(0, Math.min(12, key.sha256().length()));
  }

  /** Number of live engines, for tests and the admin output. */
  public synchronized int engineCount() {
    return entries.size();
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (Entry e : entries.values()) {
      e.engine.close(true);
    }
    entries.clear();
  }

  private synchronized void release(Entry entry) {
    if (--entry.refs == 0 && entries.get(entry.key) == entry) {
      entries.remove(entry.key);
      try {
        entry.engine.close(true);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing engine: " + e);
      }
    }
  }

  private synchronized void retain(Entry entry) {
    if (entry.refs <= 0) {
      throw new IllegalStateException("module already released");
    }
    entry.refs++;
  }

  private final class Entry implements CompiledModule {
    final VmKey key;
    final Engine engine;
    final Source source;
    int refs = 1;

    Entry(VmKey key, Engine engine, Source source) {
      this.key = key;
      this.engine = engine;
      this.source = source;
    }

    @Override
    public VmKey key() {
      return key;
    }

    @Override
    public WasmVm newVm() {
      return new GraalWasmVm(engine, source);
    }

    @Override
    public CompiledModule retain() {
      GraalEngineCache.this.retain(this);
      return this;
    }

    @Override
    public void release() {
      GraalEngineCache.this.release(this);
    }
  }

  /** Sends Truffle's own log records to the {@code wasm} logger. */
  private static final class LoggerHandler extends Handler {
    @Override
    public void publish(LogRecord record) {
      System.Logger.Level level =
          record.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()
              ? System.Logger.Level.ERROR
              : record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()
                  ? System.Logger.Level.WARNING
                  : System.Logger.Level.DEBUG;
      LOG.log(level, "[" + record.getLoggerName() + "] " + record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
