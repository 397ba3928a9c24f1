package dev.xdsdp.dataplane.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The command line, parsed: one field per Envoy flag, with Envoy's defaults. Built by {@link
 * CommandLine#parse}; immutable. Hot-restart fields are accepted for compatibility and have no
 * effect (there is no hot restart here).
 *
 * @param configPath {@code -c/--config-path}, "" when absent
 * @param configYaml {@code --config-yaml}, "" when absent
 * @param mode {@code --mode}
 * @param logLevel {@code -l/--log-level}, default {@link LogLevel#INFO}
 * @param componentLogLevels {@code --component-log-level}, in the order given
 * @param logFormat {@code --log-format}, default {@link Logging#DEFAULT_FORMAT}
 * @param logFormatSet whether {@code --log-format} was given (Envoy then rejects a bootstrap
 *     {@code application_log_config.log_format})
 * @param logFormatEscaped {@code --log-format-escaped}
 * @param enableFineGrainLogging {@code --enable-fine-grain-logging} (accepted, no effect)
 * @param logPath {@code --log-path}, "" for stderr
 * @param concurrency {@code --concurrency}, at least 1, default the number of processors
 * @param cpusetThreads {@code --cpuset-threads}
 * @param serviceNode {@code --service-node}
 * @param serviceCluster {@code --service-cluster}
 * @param serviceZone {@code --service-zone}
 * @param drainTime {@code --drain-time-s}, default 600 s
 * @param drainStrategy {@code --drain-strategy}, default gradual
 * @param parentShutdownTime {@code --parent-shutdown-time-s}, default 900 s
 * @param baseId {@code --base-id}
 * @param useDynamicBaseId {@code --use-dynamic-base-id}
 * @param baseIdPath {@code --base-id-path}
 * @param restartEpoch {@code --restart-epoch}
 * @param disableHotRestart {@code --disable-hot-restart}
 * @param allowUnknownStaticFields {@code --allow-unknown-static-fields} (or the deprecated
 *     {@code --allow-unknown-fields})
 * @param rejectUnknownDynamicFields {@code --reject-unknown-dynamic-fields}
 * @param ignoreUnknownDynamicFields {@code --ignore-unknown-dynamic-fields}
 * @param localAddressIpVersion {@code --local-address-ip-version}, default v4
 * @param fileFlushInterval {@code --file-flush-interval-msec}, default 10 s
 * @param skipDeprecatedLogs {@code --skip-deprecated-logs}
 * @param adminAddressPath {@code --admin-address-path}
 * @param enableMutexTracing {@code --enable-mutex-tracing} (accepted, no effect)
 * @param enableCoreDump {@code --enable-core-dump} (accepted, no effect)
 * @param disabledExtensions {@code --disable-extensions}, "category/name" entries
 * @param socketPath {@code --socket-path}
 * @param socketMode {@code --socket-mode}, parsed as octal, 0 for an abstract socket path
 * @param statsTags {@code --stats-tag}, repeatable
 * @param skipHotRestartOnNoParent {@code --skip-hot-restart-on-no-parent}
 * @param skipHotRestartParentStats {@code --skip-hot-restart-parent-stats}
 */
public record Options(
    String configPath,
    String configYaml,
    Mode mode,
    LogLevel logLevel,
    List<ComponentLogLevel> componentLogLevels,
    String logFormat,
    boolean logFormatSet,
    boolean logFormatEscaped,
    boolean enableFineGrainLogging,
    String logPath,
    int concurrency,
    boolean cpusetThreads,
    String serviceNode,
    String serviceCluster,
    String serviceZone,
    Duration drainTime,
    DrainStrategy drainStrategy,
    Duration parentShutdownTime,
    long baseId,
    boolean useDynamicBaseId,
    String baseIdPath,
    long restartEpoch,
    boolean disableHotRestart,
    boolean allowUnknownStaticFields,
    boolean rejectUnknownDynamicFields,
    boolean ignoreUnknownDynamicFields,
    IpVersion localAddressIpVersion,
    Duration fileFlushInterval,
    boolean skipDeprecatedLogs,
    String adminAddressPath,
    boolean enableMutexTracing,
    boolean enableCoreDump,
    List<String> disabledExtensions,
    String socketPath,
    int socketMode,
    List<StatsTag> statsTags,
    boolean skipHotRestartOnNoParent,
    boolean skipHotRestartParentStats) {

  public Options {
    componentLogLevels = List.copyOf(componentLogLevels);
    disabledExtensions = List.copyOf(disabledExtensions);
    statsTags = List.copyOf(statsTags);
  }

  /** Envoy's defaults, as if no flag were given. */
  public static Options defaults() {
    try {
      return ((CommandLine.Parsed.Run) CommandLine.parse()).options();
    } catch (CommandLineException e) {
      throw new IllegalStateException(e); // no flags cannot be wrong
    }
  }

  /** {@link #configPath()} as a path, or null when absent. */
  public Path configFile() {
    return configPath.isEmpty() ? null : Path.of(configPath);
  }

  /** {@code --mode}. */
  public enum Mode {
    /** Validate the config, then serve traffic (the default). */
    SERVE("serve"),
    /** Validate the config and exit: "OK" and exit code 0, or the errors and exit code 1. */
    VALIDATE("validate"),
    /** Initialise the server fully (listeners not bound) and exit. */
    INIT_ONLY("init_only");

    private final String flagValue;

    Mode(String flagValue) {
      this.flagValue = flagValue;
    }

    public String flagValue() {
      return flagValue;
    }
  }

  /** {@code --drain-strategy}. */
  public enum DrainStrategy {
    /** Encourage connections to close over the drain time (the default). */
    GRADUAL,
    /** Ask every connection to close as soon as the drain starts. */
    IMMEDIATE;

    public String flagValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code --local-address-ip-version}. */
  public enum IpVersion {
    V4,
    V6;

    public String flagValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Envoy's (spdlog's) log levels, mapped onto java.util.logging. */
  public enum LogLevel {
    TRACE("trace", java.util.logging.Level.FINEST),
    DEBUG("debug", java.util.logging.Level.FINE),
    INFO("info", java.util.logging.Level.INFO),
    WARNING("warning", java.util.logging.Level.WARNING),
    ERROR("error", java.util.logging.Level.SEVERE),
    CRITICAL("critical", java.util.logging.Level.SEVERE),
    OFF("off", java.util.logging.Level.OFF);

    private final String envoyName;
    private final java.util.logging.Level julLevel;

    LogLevel(String envoyName, java.util.logging.Level julLevel) {
      this.envoyName = envoyName;
      this.julLevel = julLevel;
    }

    /** The name Envoy prints and accepts ({@code warn} is also accepted for WARNING). */
    public String envoyName() {
      return envoyName;
    }

    public java.util.logging.Level julLevel() {
      return julLevel;
    }

    /** The level for an Envoy level name (exact case, as Envoy), or null. */
    public static LogLevel fromEnvoyName(String name) {
      if (name.equals("warn")) {
        return WARNING;
      }
      for (LogLevel l : values()) {
        if (l.envoyName.equals(name)) {
          return l;
        }
      }
      return null;
    }
  }

  /** One {@code component:level} of {@code --component-log-level}. */
  public record ComponentLogLevel(String component, LogLevel level) {}

  /** One {@code --stats-tag name:value}. */
  public record StatsTag(String name, String value) {}
}
