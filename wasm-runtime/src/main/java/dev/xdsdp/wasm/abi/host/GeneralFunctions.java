package dev.xdsdp.wasm.abi.host;

import dev.xdsdp.wasm.abi.LogLevel;
import dev.xdsdp.wasm.abi.WasmResult;
import dev.xdsdp.wasm.context.RootContext;
import dev.xdsdp.wasm.context.WasmInstance;
import java.time.Instant;

/**
 * Logging, time, ticks, the effective context, {@code proxy_done}, {@code proxy_get_status},
 * 0.1.0's {@code proxy_get_configuration}, and the small non-proxy imports real modules carry.
 */
final class GeneralFunctions extends AbiFunctions {

  GeneralFunctions(WasmInstance instance) {
    super(instance);
  }

  @Override
  void register(HostFunctions.Registrar r) {
    r.env("proxy_log", a -> log(a[0], a[1], a[2]));
    r.env("proxy_get_log_level", a -> getLogLevel(a[0]));
    r.env("proxy_get_current_time_nanoseconds", a -> currentTime(a[0]));
    r.env("proxy_set_tick_period_milliseconds", a -> setTickPeriod(a[0]));
    r.env("proxy_set_effective_context", a -> setEffectiveContext(a[0]));
    r.env("proxy_done", a -> done());
    r.env("proxy_get_status", a -> getStatus(a[0], a[1], a[2]));
    r.env("proxy_get_configuration", a -> getConfiguration(a[0], a[1]));
    r.env("emscripten_notify_memory_growth", a -> 0);
    r.env("pthread_equal", a -> a[0] == a[1] ? 1 : 0);
  }

  private long log(long level, long ptr, long len) {
    LogLevel l = LogLevel.fromCode(u32(level));
    if (l == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    String message = string(ptr, len);
    instance.effectivePlugin().log().log(l, message);
    return OK;
  }

  private long getLogLevel(long ptr) {
    memory.writeI32(u32(ptr), instance.effectivePlugin().log().level().ordinal());
    return OK;
  }

  private long currentTime(long ptr) {
    Instant now = Instant.now();
    memory.writeI64(u32(ptr), now.getEpochSecond() * 1_000_000_000L + now.getNano());
    return OK;
  }

  private long setTickPeriod(long millis) {
    RootContext root = root();
    if (root == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    instance.setTickPeriod(root, u32(millis));
    return OK;
  }

  private long setEffectiveContext(long id) {
    return instance.setEffective((int) id) ? OK : code(WasmResult.BAD_ARGUMENT);
  }

  private long done() {
    return instance.finishPendingDone() ? OK : code(WasmResult.NOT_FOUND);
  }

  private long getStatus(long codePtr, long msgPtrPtr, long msgLenPtr) {
    RootContext root = root();
    if (root == null) {
      return code(WasmResult.NOT_FOUND);
    }
    memory.check(u32(codePtr), 4);
    memory.copyOut(root.statusMessage().getBytes(java.nio.charset.StandardCharsets.UTF_8), u32(msgPtrPtr), u32(msgLenPtr));
    memory.writeI32(u32(codePtr), root.statusCode());
    return OK;
  }

  /** 0.1.0: the VM configuration inside on_vm_start, the plugin configuration inside on_configure. */
  private long getConfiguration(long ptrPtr, long sizePtr) {
    RootContext root = root();
    byte[] data;
    if (root != null && root.inConfigure()) {
      data = root.plugin().config().pluginConfiguration();
    } else {
      data = instance.plugin().config().vmConfiguration();
    }
    memory.copyOut(data, u32(ptrPtr), u32(sizePtr));
    return OK;
  }
}
