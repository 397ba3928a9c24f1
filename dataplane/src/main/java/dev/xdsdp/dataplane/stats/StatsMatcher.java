package dev.xdsdp.dataplane.stats;

import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.function.Predicate;

/**
 * Bootstrap {@code stats_config.stats_matcher}: decides from the full name whether a stat is
 * instantiated (exported). A rejected stat still works for its owner but never appears in admin
 * output, as Envoy's null stats.
 */
public final class StatsMatcher {

  private enum Mode { ACCEPT_ALL, REJECT_ALL, EXCLUSION, INCLUSION }

  private static final StatsMatcher ACCEPT_ALL = new StatsMatcher(Mode.ACCEPT_ALL, List.of());

  private final Mode mode;
  private final List<Predicate<String>> matchers;

  private StatsMatcher(Mode mode, List<Predicate<String>> matchers) {
    this.mode = mode;
    this.matchers = matchers;
  }

  public static StatsMatcher acceptAll() {
    return ACCEPT_ALL;
  }

  /** @throws IllegalArgumentException for an invalid string matcher */
  public static StatsMatcher from(io.envoyproxy.envoy.config.metrics.v3.StatsMatcher proto) {
    return switch (proto.getStatsMatcherCase()) {
      case REJECT_ALL -> proto.getRejectAll() ? new StatsMatcher(Mode.REJECT_ALL, List.of()) : ACCEPT_ALL;
      case EXCLUSION_LIST -> new StatsMatcher(Mode.EXCLUSION, compile(proto.getExclusionList().getPatternsList()));
      case INCLUSION_LIST -> new StatsMatcher(Mode.INCLUSION, compile(proto.getInclusionList().getPatternsList()));
      case STATSMATCHER_NOT_SET -> ACCEPT_ALL;
    };
  }

  private static List<Predicate<String>> compile(List<StringMatcher> patterns) {
    return patterns.stream().map(StringMatchers::of).toList();
  }

  /** Whether the stat with this full name is kept out of the store's exported set. */
  public boolean rejects(String name) {
    return switch (mode) {
      case ACCEPT_ALL -> false;
      case REJECT_ALL -> true;
      case EXCLUSION -> matchers.stream().anyMatch(m -> m.test(name));
      case INCLUSION -> matchers.stream().noneMatch(m -> m.test(name));
    };
  }

  /** Whether every stat is rejected. */
  public boolean rejectsAll() {
    return mode == Mode.REJECT_ALL;
  }
}
