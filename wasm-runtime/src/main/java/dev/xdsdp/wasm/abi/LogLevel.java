package dev.xdsdp.wasm.abi;

/** {@code proxy_log_level_t}, with the {@link System.Logger.Level} each maps to. */
public enum LogLevel {
  TRACE(System.Logger.Level.TRACE),
  DEBUG(System.Logger.Level.DEBUG),
  INFO(System.Logger.Level.INFO),
  WARN(System.Logger.Level.WARNING),
  ERROR(System.Logger.Level.ERROR),
  CRITICAL(System.Logger.Level.ERROR);

  private static final LogLevel[] VALUES = values();
  private final System.Logger.Level jdkLevel;

  LogLevel(System.Logger.Level jdkLevel) {
    this.jdkLevel = jdkLevel;
  }

  public System.Logger.Level jdkLevel() {
    return jdkLevel;
  }

  public static LogLevel fromCode(long code) {
    return code >= 0 && code < VALUES.length ? VALUES[(int) code] : null;
  }

  /** The most verbose proxy-wasm level that {@code logger} emits, as Envoy's {@code wasm} logger level. */
  public static LogLevel of(System.Logger logger) {
    for (LogLevel l : VALUES) {
      if (logger.isLoggable(l.jdkLevel)) {
        return l;
      }
    }
    return CRITICAL;
  }
}
