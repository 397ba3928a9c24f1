package dev.xdsdp.xds.bootstrap;

import java.util.List;

/**
 * What a successful parse has to say: {@code warnings} (unknown fields or enum values ignored
 * because that was allowed, repeated YAML keys, TypedStructs of unknown types kept as they are)
 * and {@code deprecations} (deprecated fields in use, which Envoy logs unless
 * {@code --skip-deprecated-logs}). Each entry is a full sentence that names source and field.
 */
public record ParseNotes(List<String> warnings, List<String> deprecations) {

  public ParseNotes {
    warnings = List.copyOf(warnings);
    deprecations = List.copyOf(deprecations);
  }

  public static final ParseNotes NONE = new ParseNotes(List.of(), List.of());
}
