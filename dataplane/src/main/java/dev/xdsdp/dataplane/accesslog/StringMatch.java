package dev.xdsdp.dataplane.accesslog;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.Locale;
import java.util.function.Predicate;

/** Envoy's {@code StringMatcherImpl} over {@code envoy.type.matcher.v3.StringMatcher}. */
final class StringMatch {

  private StringMatch() {}

  static Predicate<String> of(StringMatcher m, String field) throws AccessLogConfigException {
    boolean ic = m.getIgnoreCase();
    return switch (m.getMatchPatternCase()) {
      case EXACT -> {
        String p = m.getExact();
        yield ic ? v -> v.equalsIgnoreCase(p) : v -> v.equals(p);
      }
      case PREFIX -> {
        String p = nonEmpty(m.getPrefix(), field + ".prefix");
        yield ic ? v -> v.regionMatches(true, 0, p, 0, p.length()) : v -> v.startsWith(p);
      }
      case SUFFIX -> {
        String p = nonEmpty(m.getSuffix(), field + ".suffix");
        yield ic
            ? v -> v.length() >= p.length()
                && v.regionMatches(true, v.length() - p.length(), p, 0, p.length())
            : v -> v.endsWith(p);
      }
      case CONTAINS -> {
        String p = nonEmpty(m.getContains(), field + ".contains");
        String lower = p.toLowerCase(Locale.ROOT);
        yield ic ? v -> v.toLowerCase(Locale.ROOT).contains(lower) : v -> v.contains(p);
      }
      case SAFE_REGEX -> regex(m.getSafeRegex(), field + ".safe_regex");
      case CUSTOM -> throw new AccessLogConfigException(
          field + ".custom: string matcher extension '" + m.getCustom().getName()
              + "' is not supported");
      case MATCHPATTERN_NOT_SET -> throw new AccessLogConfigException(
          field + ": one of exact, prefix, suffix, contains or safe_regex must be set");
    };
  }

  /** A full-string RE2 match, as Envoy's {@code RE2::FullMatch}. */
  static Predicate<String> regex(RegexMatcher m, String field) throws AccessLogConfigException {
    String regex = nonEmpty(m.getRegex(), field + ".regex");
    try {
      Pattern p = Pattern.compile(regex);
      return v -> p.matches(v);
    } catch (PatternSyntaxException e) {
      throw new AccessLogConfigException(
          field + ".regex: invalid regex '" + regex + "': " + e.getMessage(), e);
    }
  }

  static String nonEmpty(String s, String field) throws AccessLogConfigException {
    if (s.isEmpty()) {
      throw new AccessLogConfigException(field + ": value length must be at least 1 characters");
    }
    return s;
  }
}
