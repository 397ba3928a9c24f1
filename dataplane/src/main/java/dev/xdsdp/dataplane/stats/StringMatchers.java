package dev.xdsdp.dataplane.stats;

import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Envoy's {@code StringMatcher} over stat names: exact, prefix, suffix, contains (each optionally
 * ignoring ASCII case) and {@code safe_regex}, which must match the whole name (RE2).
 */
final class StringMatchers {

  private StringMatchers() {}

  static Predicate<String> of(StringMatcher m) {
    boolean ignoreCase = m.getIgnoreCase();
    return switch (m.getMatchPatternCase()) {
      case EXACT -> {
        String exact = m.getExact();
        yield ignoreCase ? s -> s.equalsIgnoreCase(exact) : s -> s.equals(exact);
      }
      case PREFIX -> {
        String prefix = nonEmpty(m.getPrefix(), "prefix");
        yield ignoreCase ? s -> lower(s).startsWith(lower(prefix)) : s -> s.startsWith(prefix);
      }
      case SUFFIX -> {
        String suffix = nonEmpty(m.getSuffix(), "suffix");
        yield ignoreCase ? s -> lower(s).endsWith(lower(suffix)) : s -> s.endsWith(suffix);
      }
      case CONTAINS -> {
        String needle = nonEmpty(m.getContains(), "contains");
        String lowered = lower(needle);
        yield ignoreCase ? s -> lower(s).contains(lowered) : s -> s.contains(needle);
      }
      case SAFE_REGEX -> {
        if (ignoreCase) {
          throw new IllegalArgumentException("ignore_case has no effect for safe_regex.");
        }
        com.google.re2j.Pattern p;
        try {
          p = com.google.re2j.Pattern.compile(m.getSafeRegex().getRegex());
        } catch (com.google.re2j.PatternSyntaxException e) {
          throw new IllegalArgumentException(
              "Invalid regex '" + m.getSafeRegex().getRegex() + "': " + e.getDescription(), e);
        }
        yield p::matches;
      }
      case CUSTOM -> throw new IllegalArgumentException(
          "custom string matcher '" + m.getCustom().getName() + "' is not supported in stats_matcher");
      case MATCHPATTERN_NOT_SET -> throw new IllegalArgumentException(
          "StringMatcher must set one of exact, prefix, suffix, safe_regex or contains");
    };
  }

  private static String nonEmpty(String value, String field) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException("StringMatcher." + field + " must not be empty");
    }
    return value;
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
