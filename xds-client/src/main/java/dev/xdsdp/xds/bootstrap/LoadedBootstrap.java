package dev.xdsdp.xds.bootstrap;

import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.util.List;

/**
 * A bootstrap as loaded, with what the loader noticed on the way: {@code warnings} (unknown
 * fields ignored under {@code --allow-unknown-static-fields}, repeated YAML keys, TypedStructs of
 * unknown types) and {@code deprecations} (deprecated fields in use).
 */
public record LoadedBootstrap(Bootstrap bootstrap, List<String> warnings, List<String> deprecations) {

  public LoadedBootstrap {
    warnings = List.copyOf(warnings);
    deprecations = List.copyOf(deprecations);
  }

  /**
   * Logs the notes as Envoy does: warnings always, deprecations unless
   * {@code skipDeprecatedLogs} ({@code --skip-deprecated-logs}).
   */
  public void log(System.Logger logger, boolean skipDeprecatedLogs) {
    for (String w : warnings) {
      logger.log(System.Logger.Level.WARNING, w);
    }
    if (!skipDeprecatedLogs) {
      for (String d : deprecations) {
        logger.log(System.Logger.Level.WARNING, "Deprecated field: " + d);
      }
    }
  }
}
