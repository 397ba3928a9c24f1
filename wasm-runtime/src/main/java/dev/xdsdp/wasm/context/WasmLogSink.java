package dev.xdsdp.wasm.context;

import dev.xdsdp.wasm.abi.LogLevel;

/**
 * Where a module's log lines go ({@code proxy_log}, and WASI {@code fd_write} to stdout at INFO and
 * stderr at ERROR). Thread-safe.
 */
public interface WasmLogSink {

  void log(LogLevel level, String message);

  /** The most verbose level that is emitted ({@code proxy_get_log_level}). */
  LogLevel level();

  /**
   * Envoy's format on the {@code wasm} logger: {@code wasm log <name> <root_id> <vm_id>: <message>}.
   */
  static WasmLogSink logger(String name, String rootId, String vmId) {
    System.Logger logger = System.getLogger("wasm");
    StringBuilder prefix = new StringBuilder("wasm log");
    for (String part : new String[] {name, rootId, vmId}) {
      if (!part.isEmpty()) {
        prefix.append(' ').append(part);
      }
    }
    String p = prefix.append(": ").toString();
    return new WasmLogSink() {
      @Override
      public void log(LogLevel level, String message) {
        logger.log(level.jdkLevel(), p + message);
      }

      @Override
      public LogLevel level() {
        return LogLevel.of(logger);
      }
    };
  }
}
