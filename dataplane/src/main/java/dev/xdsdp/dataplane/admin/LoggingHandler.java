package dev.xdsdp.dataplane.admin;

import dev.xdsdp.dataplane.server.Logging;
import dev.xdsdp.dataplane.server.Options.LogLevel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /logging} and {@code /reopen_logs}. {@code /logging} takes exactly one parameter:
 * {@code level=<level>} sets every component, {@code <component>=<level>} one, and
 * {@code paths=<component>:<level>,...} several (all or none: one unknown name fails the whole
 * request); then, and on errors, it lists every component's level as Envoy does.
 */
final class LoggingHandler {

  /** spdlog's level names as Envoy accepts them ("warn" is not one of them here). */
  private static final List<String> LEVELS = List.of("trace", "debug", "info", "warning", "error", "critical", "off");

  private final AdminContext context;

  LoggingHandler(AdminContext context) {
    this.context = context;
  }

  List<AdminEndpoint> endpoints() {
    String[] levelChoices = new String[LEVELS.size() + 1];
    levelChoices[0] = "";
    for (int i = 0; i < LEVELS.size(); i++) {
      levelChoices[i + 1] = LEVELS.get(i);
    }
    return List.of(
        AdminEndpoint.post("/logging", "query/change logging levels", this::logging,
            AdminEndpoint.Param.of("paths", "Set several loggers at once:"
                + " <logger_name1>:<desired_level1>,<logger_name2>:<desired_level2>"),
            AdminEndpoint.Param.oneOf("level", "Set every logger to this level", levelChoices)),
        AdminEndpoint.post("/reopen_logs", "reopen access logs", r -> {
          context.reopenLogs();
          return AdminResponse.ok("OK\n");
        }));
  }

  AdminResponse logging(AdminRequest request) {
    StringBuilder out = new StringBuilder();
    int status = 200;
    if (!request.params().isEmpty()) {
      String error = change(request.params());
      if (error != null) {
        status = 400;
        out.append("error: ").append(error).append("\n\n");
        out.append("usage: /logging?<name>=<level> (change single level)\n");
        out.append("usage: /logging?paths=name1:level1,name2:level2,... (change multiple levels)\n");
        out.append("usage: /logging?level=<level> (change all levels)\n");
        out.append("levels: ");
        for (String l : LEVELS) {
          out.append(l).append(' ');
        }
        out.append('\n');
      }
    }
    out.append("active loggers:\n");
    for (Map.Entry<String, LogLevel> e : Logging.levels().entrySet()) {
      out.append("  ").append(e.getKey()).append(": ").append(e.getValue().envoyName()).append('\n');
    }
    out.append('\n');
    return AdminResponse.text(status, out.toString());
  }

  /** Applies the change the parameters ask for; returns Envoy's error message, or null. */
  private static String change(Map<String, List<String>> params) {
    if (params.size() != 1) {
      return "invalid number of parameters";
    }
    Map.Entry<String, List<String>> param = params.entrySet().iterator().next();
    String key = param.getKey();
    String value = param.getValue().get(0);
    if (key.equals("level")) {
      LogLevel level = parseLevel(value);
      if (level == null) {
        return "unknown logger level";
      }
      System.getLogger("admin").log(System.Logger.Level.INFO, "change all log levels: level=''{0}''", value);
      Logging.setAllLevels(level);
      return null;
    }
    Map<String, LogLevel> changes = new LinkedHashMap<>();
    if (key.equals("paths")) {
      for (String pair : value.split(",")) {
        if (pair.isBlank()) {
          continue;
        }
        int colon = pair.indexOf(':');
        String name = colon < 0 ? pair : pair.substring(0, colon);
        String levelName = colon < 0 ? "" : pair.substring(colon + 1);
        if (name.isBlank() || levelName.isBlank()) {
          return "empty logger name or empty logger level";
        }
        LogLevel level = parseLevel(levelName);
        if (level == null) {
          return "unknown logger level";
        }
        changes.put(name, level);
      }
    } else {
      LogLevel level = parseLevel(value);
      if (level == null) {
        return "unknown logger level";
      }
      changes.put(key, level);
    }
    for (String name : changes.keySet()) {
      if (!Logging.COMPONENTS.contains(name)) {
        return "unknown logger name";
      }
    }
    for (Map.Entry<String, LogLevel> c : changes.entrySet()) {
      System.getLogger("admin").log(System.Logger.Level.INFO, "change log level: name=''{0}'' level=''{1}''",
          c.getKey(), c.getValue().envoyName());
      Logging.setLevel(c.getKey(), c.getValue());
    }
    return null;
  }

  private static LogLevel parseLevel(String name) {
    return LEVELS.contains(name) ? LogLevel.fromEnvoyName(name) : null;
  }
}
