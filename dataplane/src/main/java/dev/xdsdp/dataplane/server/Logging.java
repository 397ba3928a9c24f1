package dev.xdsdp.dataplane.server;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.xdsdp.dataplane.server.Options.ComponentLogLevel;
import dev.xdsdp.dataplane.server.Options.LogLevel;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap.ApplicationLogConfig;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Makes java.util.logging (behind {@code System.getLogger}, grpc-java, Vert.x and Netty) log the
 * way Envoy does: one logger per Envoy component ({@code System.getLogger("router")}), Envoy's
 * levels, Envoy's default line format, {@code --log-format} in spdlog syntax, {@code --log-path}
 * (appended to) or stderr.
 *
 * <p>Levels: {@code -l} sets the root and every component; {@code --component-log-level} then
 * overrides single components. Third-party loggers ({@code io.netty}, {@code io.grpc},
 * {@code io.vertx}) stay at warning unless the level is debug or trace, so that their chatter does
 * not drown Envoy's own lines.
 *
 * <p>Logging is process-wide, like Envoy's logger registry, so this is a static facade. Its
 * methods are thread-safe; the admin {@code /logging} endpoint calls {@link #setLevel},
 * {@link #setAllLevels} and {@link #levels} at run time.
 */
public final class Logging {

  /**
   * The default {@code --log-format}: Envoy's {@code [%Y-%m-%d %T.%e][%t][%l][%n] [%g:%#] %v}
   * without the source location, which costs a stack walk per line in Java.
   */
  public static final String DEFAULT_FORMAT = "[%Y-%m-%d %T.%e][%t][%l][%n] %v";

  /**
   * The component loggers: Envoy's (its {@code ALL_LOGGER_IDS}) and this data plane's own
   * ({@code xds}). {@code --component-log-level} and {@code /logging} accept these names.
   */
  public static final Set<String> COMPONENTS =
      Collections.unmodifiableSet(
          new TreeSet<>(
              List.of(
                  "admin", "alternate_protocols_cache", "assert", "aws", "backtrace", "basic_auth",
                  "cache_filter", "client", "compression", "config", "conn_handler", "connection",
                  "credential_injector", "decompression", "dns", "dubbo", "envoy_bug", "ext_authz",
                  "ext_proc", "file", "filter", "forward_proxy", "geolocation", "golang", "grpc",
                  "happy_eyeballs", "hc", "health_checker", "http", "http2", "hystrix", "init",
                  "io", "jwt", "kafka", "key_value_store", "lua", "main", "matcher", "misc",
                  "mongo", "multi_connection", "oauth2", "pool", "quic", "quic_stream",
                  "rate_limit_quota", "rbac", "rds", "redis", "rocketmq", "router", "runtime",
                  "secret", "stats", "tap", "testing", "thrift", "tracing", "udp", "upstream",
                  "wasm", "websocket", "xds")));

  /** Libraries whose loggers are held at warning unless Envoy's level is debug or trace. */
  public static final List<String> THIRD_PARTY = List.of("io.netty", "io.grpc", "io.vertx");

  // java.util.logging keeps loggers weakly: a level set on a logger nobody holds is lost when it
  // is collected. These references pin every logger whose level we set.
  private static final Map<String, Logger> PINNED = new HashMap<>();
  private static final Map<String, LogLevel> LEVELS = new TreeMap<>();
  private static EnvoyHandler handler;

  private Logging() {}

  /**
   * Applies {@code -l}, {@code --component-log-level}, {@code --log-format},
   * {@code --log-format-escaped} and {@code --log-path}: replaces the root handlers with one that
   * writes Envoy-style lines to the log file (appending) or stderr.
   *
   * @throws IOException when the log file cannot be opened
   */
  public static synchronized void configure(Options options) throws IOException {
    OutputStream out;
    boolean closeOut;
    if (options.logPath().isEmpty()) {
      out = System.err;
      closeOut = false;
    } else {
      out = new BufferedOutputStream(new FileOutputStream(options.logPath(), true));
      closeOut = true;
    }
    Logger root = pin("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
      h.close();
    }
    EnvoyHandler next =
        new EnvoyHandler(LogFormat.compile(options.logFormat(), options.logFormatEscaped()), out,
            closeOut);
    handler = next;
    root.addHandler(next);
    setAllLevels(options.logLevel());
    for (ComponentLogLevel c : options.componentLogLevels()) {
      setLevel(c.component(), c.level());
    }
  }

  /**
   * Sets one component's level.
   *
   * @throws IllegalArgumentException for a name not in {@link #COMPONENTS}
   */
  public static synchronized void setLevel(String component, LogLevel level) {
    if (!COMPONENTS.contains(component)) {
      throw new IllegalArgumentException("unknown logger '" + component + "'");
    }
    pin(component).setLevel(level.julLevel());
    LEVELS.put(component, level);
  }

  /** Sets every component, the root logger and the third-party rule to {@code level}. */
  public static synchronized void setAllLevels(LogLevel level) {
    pin("").setLevel(level.julLevel());
    for (String component : COMPONENTS) {
      pin(component).setLevel(level.julLevel());
      LEVELS.put(component, level);
    }
    boolean verbose = level == LogLevel.DEBUG || level == LogLevel.TRACE;
    for (String library : THIRD_PARTY) {
      // null: inherit the root level
      pin(library).setLevel(verbose ? null : Level.WARNING);
    }
  }

  /** Every component's current level, sorted by name (what {@code /logging} lists). */
  public static synchronized SortedMap<String, LogLevel> levels() {
    if (LEVELS.isEmpty()) {
      LogLevel rootLevel = levelOf(Logger.getLogger("").getLevel());
      for (String component : COMPONENTS) {
        Level own = Logger.getLogger(component).getLevel();
        LEVELS.put(component, own == null ? rootLevel : levelOf(own));
      }
    }
    return Collections.unmodifiableSortedMap(new TreeMap<>(LEVELS));
  }

  /** Replaces the line format (spdlog syntax) at run time, keeping the destination. */
  public static synchronized void setFormat(String format, boolean escapeMessages) {
    if (handler == null) {
      throw new IllegalStateException("Logging.configure has not run");
    }
    handler.format = LogFormat.compile(format, escapeMessages);
  }

  /** The line format in use, or null before {@link #configure}. */
  public static synchronized String format() {
    return handler == null ? null : handler.format.pattern();
  }

  /**
   * Applies a bootstrap's {@code application_log_config.log_format} as Envoy does after loading
   * the bootstrap ({@code Server::Utility::assertExclusiveLogFormatMethod} and
   * {@code maybeSetApplicationLogFormat}).
   *
   * @param logFormatOnCommandLine {@link Options#logFormatSet()}
   * @throws IllegalArgumentException with Envoy's message when both set a format, or when a JSON
   *     format uses {@code %v} or {@code %_}
   */
  public static void applyApplicationLogConfig(
      ApplicationLogConfig config, boolean logFormatOnCommandLine, boolean escapeMessages) {
    if (!config.hasLogFormat()) {
      return;
    }
    if (logFormatOnCommandLine) {
      throw new IllegalArgumentException(
          "Only one of ApplicationLogConfig.log_format or CLI option --log-format can be specified.");
    }
    var logFormat = config.getLogFormat();
    if (logFormat.hasJsonFormat()) {
      String json;
      try {
        json = JsonFormat.printer().omittingInsignificantWhitespace().preservingProtoFieldNames()
            .print(logFormat.getJsonFormat());
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException("Provided struct cannot be serialized as JSON string", e);
      }
      if (json.contains("%v")) {
        throw new IllegalArgumentException("Usage of %v is unavailable for JSON log formats");
      }
      if (json.contains("%_")) {
        throw new IllegalArgumentException("Usage of %_ is unavailable for JSON log formats");
      }
      setFormat(json, escapeMessages);
    } else if (logFormat.hasTextFormat()) {
      setFormat(logFormat.getTextFormat(), escapeMessages);
    }
  }

  /** Flushes the log file (Envoy's {@code /reopen_logs} and shutdown path call for this). */
  public static synchronized void flush() {
    if (handler != null) {
      handler.flush();
    }
  }

  /**
   * Puts java.util.logging back as the JVM configures it by default, closing the log file. For
   * tests, and for embedding code that wants its own logging back.
   */
  public static synchronized void reset() {
    handler = null;
    LEVELS.clear();
    PINNED.clear();
    try {
      LogManager.getLogManager().readConfiguration();
    } catch (IOException e) {
      throw new IllegalStateException("cannot restore java.util.logging defaults", e);
    }
  }

  private static Logger pin(String name) {
    return PINNED.computeIfAbsent(name, Logger::getLogger);
  }

  private static LogLevel levelOf(Level level) {
    if (level == null) {
      return LogLevel.INFO;
    }
    for (LogLevel l : LogLevel.values()) {
      if (l.julLevel().equals(level)) {
        return l;
      }
    }
    return switch (LogFormat.levelName(level)) {
      case "trace" -> LogLevel.TRACE;
      case "debug" -> LogLevel.DEBUG;
      case "info" -> LogLevel.INFO;
      case "warning" -> LogLevel.WARNING;
      case "off" -> LogLevel.OFF;
      default -> LogLevel.ERROR;
    };
  }

  /**
   * Writes each record as one formatted line. Lines are flushed as they are written: the log is
   * how an operator sees a crash, and the volume at Envoy's default level is small.
   */
  private static final class EnvoyHandler extends Handler {
    volatile LogFormat format;
    private final PrintStream out;
    private final boolean closeOut;

    EnvoyHandler(LogFormat format, OutputStream out, boolean closeOut) {
      this.format = format;
      this.out = new PrintStream(out, false, StandardCharsets.UTF_8);
      this.closeOut = closeOut;
      setLevel(Level.ALL);
    }

    @Override
    public synchronized void publish(LogRecord record) {
      if (!isLoggable(record)) {
        return;
      }
      String line;
      try {
        line = format.format(record);
      } catch (RuntimeException e) {
        reportError("cannot format a log record", e, java.util.logging.ErrorManager.FORMAT_FAILURE);
        return;
      }
      out.print(line);
      out.flush();
    }

    @Override
    public synchronized void flush() {
      out.flush();
    }

    @Override
    public synchronized void close() {
      out.flush();
      if (closeOut) {
        out.close();
      }
    }
  }
}
