package dev.xdsdp.dataplane.server;

import dev.xdsdp.dataplane.server.Options.ComponentLogLevel;
import dev.xdsdp.dataplane.server.Options.DrainStrategy;
import dev.xdsdp.dataplane.server.Options.IpVersion;
import dev.xdsdp.dataplane.server.Options.LogLevel;
import dev.xdsdp.dataplane.server.Options.Mode;
import dev.xdsdp.dataplane.server.Options.StatsTag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Envoy's command line ({@code source/server/options_impl.cc}, parsed there with TCLAP): the same
 * flag names, short forms, value syntax and defaults, so that anything that starts Envoy (Istio's
 * pilot-agent among them) can start this instead. Values go as {@code --flag value} or
 * {@code --flag=value}; short flags as {@code -c value} or {@code -c=value}.
 *
 * <p>Main's use:
 *
 * <pre>{@code
 * CommandLine.Parsed parsed;
 * try {
 *   parsed = CommandLine.parse(args);
 * } catch (CommandLineException e) {
 *   System.err.println(e.getMessage());
 *   System.err.println(e.usageHint());
 *   System.exit(CommandLineException.EXIT_CODE);
 *   return;
 * }
 * switch (parsed) {
 *   case CommandLine.Parsed.Print p -> { System.out.print(p.text()); System.exit(0); }
 *   case CommandLine.Parsed.Run r -> run(r.options());
 * }
 * }</pre>
 */
public final class CommandLine {

  /** The program name used in help and error hints. */
  public static final String PROGRAM = "dataplane";

  /** The outcome of a parse that did not fail. */
  public sealed interface Parsed {
    /** Run the server with these options. */
    record Run(Options options) implements Parsed {}

    /** {@code --help}, {@code --version}, {@code --hot-restart-version}: print to stdout, exit 0. */
    record Print(String text) implements Parsed {}
  }

  private enum Kind {
    SWITCH,
    VALUE,
    MULTI
  }

  private record Flag(String name, String shortName, Kind kind, String valueName, String help) {}

  private static final Map<String, Flag> FLAGS = new LinkedHashMap<>();

  private static void flag(String name, String shortName, Kind kind, String valueName, String help) {
    FLAGS.put(name, new Flag(name, shortName, kind, valueName, help));
  }

  static {
    flag("config-path", "c", Kind.VALUE, "string", "Path to configuration file");
    flag("config-yaml", null, Kind.VALUE, "string",
        "Inline YAML configuration, merges with the contents of --config-path");
    flag("mode", null, Kind.VALUE, "string",
        "One of 'serve' (default; validate configs and then serve traffic normally), 'validate'"
            + " (validate configs and exit) or 'init_only' (initialize and exit)");
    flag("log-level", "l", Kind.VALUE, "string",
        "Log levels: [trace][debug][info][warning|warn][error][critical][off]\nDefault is [info]");
    flag("component-log-level", null, Kind.VALUE, "string",
        "Comma separated list of component log levels. For example upstream:debug,config:trace");
    flag("log-format", null, Kind.VALUE, "string",
        "Log message format in spdlog syntax"
            + " (see https://github.com/gabime/spdlog/wiki/3.-Custom-formatting)\nDefault is \""
            + Logging.DEFAULT_FORMAT + "\"");
    flag("log-format-escaped", null, Kind.SWITCH, null,
        "Escape c-style escape sequences in the application logs");
    flag("enable-fine-grain-logging", null, Kind.SWITCH, null,
        "Logger mode: enable file level log control (Fine-Grain Logger) or not");
    flag("log-path", null, Kind.VALUE, "string", "Path to logfile");
    flag("concurrency", null, Kind.VALUE, "uint32_t", "# of worker threads to run");
    flag("cpuset-threads", null, Kind.SWITCH, null,
        "Get the default # of worker threads from cpuset size");
    flag("service-cluster", null, Kind.VALUE, "string", "Cluster name");
    flag("service-node", null, Kind.VALUE, "string", "Node name");
    flag("service-zone", null, Kind.VALUE, "string", "Zone name");
    flag("drain-time-s", null, Kind.VALUE, "uint32_t",
        "Hot restart and LDS removal drain time in seconds");
    flag("drain-strategy", null, Kind.VALUE, "string",
        "Hot restart drain sequence behaviour, one of 'gradual' (default) or 'immediate'.");
    flag("parent-shutdown-time-s", null, Kind.VALUE, "uint32_t",
        "Hot restart parent shutdown time in seconds");
    flag("base-id", null, Kind.VALUE, "uint32_t",
        "base ID so that multiple envoys can run on the same host if needed");
    flag("use-dynamic-base-id", null, Kind.SWITCH, null,
        "the server chooses a base ID dynamically. Supersedes a static base ID. May not be used"
            + " when the restart epoch is non-zero.");
    flag("base-id-path", null, Kind.VALUE, "string", "path to which the base ID is written");
    flag("restart-epoch", null, Kind.VALUE, "uint32_t", "hot restart epoch #");
    flag("hot-restart-version", null, Kind.SWITCH, null, "hot restart compatibility version");
    flag("disable-hot-restart", null, Kind.SWITCH, null, "Disable hot restart functionality");
    flag("skip-hot-restart-on-no-parent", null, Kind.SWITCH, null,
        "When hot restarting, by default envoy will terminate if parent is not found."
            + " This flag makes envoy skip hot restart in that case.");
    flag("skip-hot-restart-parent-stats", null, Kind.SWITCH, null,
        "When hot restarting, by default the child instance copies stats from the parent."
            + " This flag skips that.");
    flag("allow-unknown-static-fields", null, Kind.SWITCH, null,
        "allow unknown fields in static configuration");
    flag("allow-unknown-fields", null, Kind.SWITCH, null,
        "allow unknown fields in static configuration (DEPRECATED)");
    flag("reject-unknown-dynamic-fields", null, Kind.SWITCH, null,
        "reject unknown fields in dynamic configuration");
    flag("ignore-unknown-dynamic-fields", null, Kind.SWITCH, null,
        "ignore unknown fields in dynamic configuration");
    flag("skip-deprecated-logs", null, Kind.SWITCH, null,
        "Skips the logging of deprecated field warnings during Protobuf message validation");
    flag("local-address-ip-version", null, Kind.VALUE, "string",
        "The local IP address version (v4 or v6).");
    flag("file-flush-interval-msec", null, Kind.VALUE, "uint32_t",
        "Interval for log flushing in msec");
    flag("admin-address-path", null, Kind.VALUE, "string", "Admin address path");
    flag("enable-mutex-tracing", null, Kind.SWITCH, null,
        "Enable mutex contention tracing functionality");
    flag("enable-core-dump", null, Kind.SWITCH, null, "Enable core dumps");
    flag("disable-extensions", null, Kind.VALUE, "string",
        "Comma-separated list of extensions to disable");
    flag("socket-path", null, Kind.VALUE, "string", "Path to hot restart socket file");
    flag("socket-mode", null, Kind.VALUE, "string", "Socket file permission");
    flag("stats-tag", null, Kind.MULTI, "string",
        "This flag provides a universal tag for all stats generated by Envoy. The format is"
            + " ``tag:value``. Only alphanumeric values are allowed for tag names. For tag values"
            + " all characters are permitted except for '.' (dot). This flag can be repeated"
            + " multiple times to set multiple universal tags. Multiple values for the same tag"
            + " name are not allowed.");
    flag("version", null, Kind.SWITCH, null, "Displays version information and exits.");
    flag("help", "h", Kind.SWITCH, null, "Displays usage information and exits.");
  }

  private static final long UINT32_MAX = 0xFFFFFFFFL;

  private CommandLine() {}

  /**
   * Parses Envoy's arguments (without the program name).
   *
   * @throws CommandLineException with a one-line message naming the offending flag
   */
  public static Parsed parse(String... args) throws CommandLineException {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, List<String>> multi = new LinkedHashMap<>();
    Set<String> switches = new HashSet<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        if (i + 1 < args.length) {
          throw new CommandLineException("error: unexpected argument '" + args[i + 1] + "'");
        }
        break;
      }
      String name;
      String value = null;
      String spelled;
      if (arg.startsWith("--")) {
        name = arg.substring(2);
        int eq = name.indexOf('=');
        if (eq >= 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        spelled = "--" + name;
      } else if (arg.startsWith("-") && arg.length() > 1) {
        String shortName = arg.substring(1);
        int eq = shortName.indexOf('=');
        if (eq >= 0) {
          value = shortName.substring(eq + 1);
          shortName = shortName.substring(0, eq);
        }
        spelled = "-" + shortName;
        name = longNameOf(shortName);
        if (name == null) {
          throw new CommandLineException("error: unknown option '" + spelled + "'");
        }
      } else {
        throw new CommandLineException("error: unexpected argument '" + arg + "'");
      }
      Flag flag = FLAGS.get(name);
      if (flag == null) {
        throw new CommandLineException("error: unknown option '" + spelled + "'" + suggest(name));
      }
      if (flag.kind() == Kind.SWITCH) {
        if (value != null) {
          throw new CommandLineException("error: option '" + spelled + "' does not take a value");
        }
        if (!switches.add(name)) {
          throw new CommandLineException("error: option '" + spelled + "' given more than once");
        }
        if (name.equals("help")) {
          return new Parsed.Print(usage());
        }
        if (name.equals("version")) {
          return new Parsed.Print(version());
        }
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new CommandLineException("error: option '" + spelled + "' requires a value");
        }
        value = args[++i];
      }
      if (flag.kind() == Kind.MULTI) {
        multi.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      } else if (values.put(name, value) != null) {
        throw new CommandLineException("error: option '" + spelled + "' given more than once");
      }
    }
    Options options = build(values, multi, switches);
    if (switches.contains("hot-restart-version")) {
      // There is no hot restart here; Envoy prints this when hot restart is disabled.
      return new Parsed.Print("disabled\n");
    }
    return new Parsed.Run(options);
  }

  private static Options build(
      Map<String, String> v, Map<String, List<String>> multi, Set<String> switches)
      throws CommandLineException {
    Mode mode = choice(v, "mode", Mode.SERVE, Mode.values(), Mode::flagValue);
    DrainStrategy drainStrategy =
        choice(v, "drain-strategy", DrainStrategy.GRADUAL, DrainStrategy.values(),
            DrainStrategy::flagValue);
    IpVersion ipVersion =
        choice(v, "local-address-ip-version", IpVersion.V4, IpVersion.values(), IpVersion::flagValue);

    LogLevel logLevel = LogLevel.INFO;
    if (v.containsKey("log-level")) {
      logLevel = LogLevel.fromEnvoyName(v.get("log-level"));
      if (logLevel == null) {
        throw invalid("log-level", v.get("log-level"),
            "expected one of trace, debug, info, warning, warn, error, critical, off");
      }
    }
    List<ComponentLogLevel> componentLevels = componentLevels(v.get("component-log-level"));

    long concurrency =
        v.containsKey("concurrency")
            ? uint32(v, "concurrency", 0)
            : Runtime.getRuntime().availableProcessors();
    long restartEpoch = uint32(v, "restart-epoch", 0);
    boolean useDynamicBaseId = switches.contains("use-dynamic-base-id");
    if (useDynamicBaseId && restartEpoch > 0) {
      throw new CommandLineException(
          "error: cannot use --restart-epoch=" + restartEpoch + " with --use-dynamic-base-id");
    }
    String socketPath = v.getOrDefault("socket-path", "@envoy_domain_socket");
    if (socketPath.isEmpty()) {
      throw invalid("socket-path", socketPath, "expected a path");
    }
    int socketMode = 0;
    if (socketPath.charAt(0) != '@') {
      String mode8 = v.getOrDefault("socket-mode", "600");
      try {
        socketMode = Integer.parseInt(mode8, 8);
      } catch (NumberFormatException e) {
        throw invalid("socket-mode", mode8, "expected an octal file mode such as 600");
      }
    }
    List<String> disabledExtensions = new ArrayList<>();
    String disable = v.getOrDefault("disable-extensions", "");
    if (!disable.isEmpty()) {
      disabledExtensions.addAll(List.of(disable.split(",", -1)));
    }
    return new Options(
        v.getOrDefault("config-path", ""),
        v.getOrDefault("config-yaml", ""),
        mode,
        logLevel,
        componentLevels,
        v.getOrDefault("log-format", Logging.DEFAULT_FORMAT),
        v.containsKey("log-format"),
        switches.contains("log-format-escaped"),
        switches.contains("enable-fine-grain-logging"),
        v.getOrDefault("log-path", ""),
        (int) Math.max(1, Math.min(concurrency, Integer.MAX_VALUE)),
        switches.contains("cpuset-threads"),
        v.getOrDefault("service-node", ""),
        v.getOrDefault("service-cluster", ""),
        v.getOrDefault("service-zone", ""),
        Duration.ofSeconds(uint32(v, "drain-time-s", 600)),
        drainStrategy,
        Duration.ofSeconds(uint32(v, "parent-shutdown-time-s", 900)),
        uint32(v, "base-id", 0),
        useDynamicBaseId,
        v.getOrDefault("base-id-path", ""),
        restartEpoch,
        switches.contains("disable-hot-restart"),
        switches.contains("allow-unknown-static-fields") || switches.contains("allow-unknown-fields"),
        switches.contains("reject-unknown-dynamic-fields"),
        switches.contains("ignore-unknown-dynamic-fields"),
        ipVersion,
        Duration.ofMillis(uint32(v, "file-flush-interval-msec", 10_000)),
        switches.contains("skip-deprecated-logs"),
        v.getOrDefault("admin-address-path", ""),
        switches.contains("enable-mutex-tracing"),
        switches.contains("enable-core-dump"),
        disabledExtensions,
        socketPath,
        socketMode,
        statsTags(multi.getOrDefault("stats-tag", List.of())),
        switches.contains("skip-hot-restart-on-no-parent"),
        switches.contains("skip-hot-restart-parent-stats"));
  }

  private static List<ComponentLogLevel> componentLevels(String spec) throws CommandLineException {
    List<ComponentLogLevel> out = new ArrayList<>();
    if (spec == null || spec.isEmpty()) {
      return out;
    }
    for (String item : spec.split(",", -1)) {
      String[] parts = item.split(":", -1);
      if (parts.length != 2) {
        throw invalid("component-log-level", spec,
            "component log level not correctly specified '" + item + "'"
                + " (expected <component>:<level>, e.g. upstream:debug,config:trace)");
      }
      LogLevel level = LogLevel.fromEnvoyName(parts[1]);
      if (level == null) {
        throw invalid("component-log-level", spec, "invalid log level specified '" + parts[1] + "'");
      }
      if (!Logging.COMPONENTS.contains(parts[0])) {
        String near = suggestFrom(parts[0], Logging.COMPONENTS);
        throw invalid("component-log-level", spec,
            "invalid component specified '" + parts[0] + "'"
                + (near == null ? "" : " (did you mean '" + near + "'?)"));
      }
      out.add(new ComponentLogLevel(parts[0], level));
    }
    return out;
  }

  private static List<StatsTag> statsTags(List<String> specs) throws CommandLineException {
    List<StatsTag> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (String spec : specs) {
      int colon = spec.indexOf(':');
      if (colon < 0) {
        throw invalid("stats-tag", spec, "misformatted stats-tag (expected tag:value)");
      }
      String name = spec.substring(0, colon);
      String value = spec.substring(colon + 1);
      if (name.isEmpty() || !name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_')) {
        throw invalid("stats-tag", spec,
            "misformatted stats-tag, tag name '" + name + "' may hold only letters, digits and _");
      }
      if (value.isEmpty() || value.indexOf('.') >= 0) {
        throw invalid("stats-tag", spec,
            "misformatted stats-tag, tag value '" + value + "' must be non-empty and hold no '.'");
      }
      if (!names.add(name)) {
        throw invalid("stats-tag", spec, "tag '" + name + "' is given more than once");
      }
      out.add(new StatsTag(name, value));
    }
    return out;
  }

  private static long uint32(Map<String, String> v, String name, long defaultValue)
      throws CommandLineException {
    String s = v.get(name);
    if (s == null) {
      return defaultValue;
    }
    try {
      long n = Long.parseLong(s);
      if (n >= 0 && n <= UINT32_MAX && !s.startsWith("+")) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid(name, s, "expected an unsigned 32-bit integer (0 to 4294967295)");
  }

  private interface Named<T> {
    String name(T t);
  }

  private static <T> T choice(
      Map<String, String> v, String name, T defaultValue, T[] choices, Named<T> flagValue)
      throws CommandLineException {
    String s = v.get(name);
    if (s == null) {
      return defaultValue;
    }
    List<String> names = new ArrayList<>();
    for (T c : choices) {
      if (flagValue.name(c).equals(s)) {
        return c;
      }
      names.add(flagValue.name(c));
    }
    throw invalid(name, s, "expected one of " + String.join(", ", names));
  }

  private static CommandLineException invalid(String flag, String value, String why) {
    return new CommandLineException(
        "error: invalid value '" + value + "' for option '--" + flag + "': " + why);
  }

  private static String longNameOf(String shortName) {
    for (Flag f : FLAGS.values()) {
      if (shortName.equals(f.shortName())) {
        return f.name();
      }
    }
    return null;
  }

  private static String suggest(String name) {
    String near = suggestFrom(name, FLAGS.keySet());
    return near == null ? "" : " (did you mean '--" + near + "'?)";
  }

  private static String suggestFrom(String input, Iterable<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(input, c);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return bestDistance <= Math.max(2, input.length() / 4) ? best : null;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** The version line, shaped like Envoy's so that scripts that read it find what they expect. */
  static String version() {
    String v = CommandLine.class.getPackage().getImplementationVersion();
    if (v == null) {
      v = "0.1.0-dev";
    }
    return "\n" + PROGRAM + "  version: 0/" + v + "/Clean/RELEASE/Java-"
        + Runtime.version().feature() + "\n\n";
  }

  /** The {@code --help} text. */
  static String usage() {
    StringBuilder sb = new StringBuilder();
    sb.append("\nUSAGE: \n\n   ").append(PROGRAM).append("  ");
    int column = PROGRAM.length() + 5;
    for (Flag f : FLAGS.values()) {
      String item = "[" + (f.shortName() != null ? "-" + f.shortName() : "--" + f.name())
          + (f.valueName() != null ? " <" + f.valueName() + ">" : "") + "] "
          + (f.kind() == Kind.MULTI ? "... " : "");
      if (column + item.length() > 90) {
        sb.append("\n").append(" ".repeat(PROGRAM.length() + 5));
        column = PROGRAM.length() + 5;
      }
      sb.append(item);
      column += item.length();
    }
    sb.append("\n\n\nWhere: \n\n");
    for (Flag f : FLAGS.values()) {
      sb.append("   ");
      if (f.shortName() != null) {
        sb.append('-').append(f.shortName());
        if (f.valueName() != null) {
          sb.append(" <").append(f.valueName()).append('>');
        }
        sb.append(",  ");
      }
      sb.append("--").append(f.name());
      if (f.valueName() != null) {
        sb.append(" <").append(f.valueName()).append('>');
      }
      if (f.kind() == Kind.MULTI) {
        sb.append("  (accepted multiple times)");
      }
      sb.append('\n');
      for (String line : f.help().split("\n")) {
        sb.append("     ").append(line).append('\n');
      }
      sb.append('\n');
    }
    sb.append("\n   ").append(PROGRAM)
        .append(": an Envoy-compatible data plane with proxy-wasm filters on GraalWasm\n\n");
    return sb.toString();
  }
}
