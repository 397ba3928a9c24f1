package dev.xdsdp.dataplane.accesslog;

import dev.xdsdp.api.http.HeaderMap;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Envoy's {@code HeaderUtility::matchHeaders} over {@code envoy.config.route.v3.HeaderMatcher}:
 * all values of the header joined with {@code ,}; a missing header matches only
 * {@code present_match: false} (inverted: only {@code present_match: true}) unless
 * {@code treat_missing_header_as_empty}.
 */
final class HeaderMatch {

  private enum Type {
    VALUE,
    PRESENT,
    OTHER
  }

  private final String name;
  private final Type type;
  private final boolean present;
  private final Predicate<String> matcher;
  private final boolean invert;
  private final boolean treatMissingAsEmpty;

  private HeaderMatch(String name, Type type, boolean present, Predicate<String> matcher,
      boolean invert, boolean treatMissingAsEmpty) {
    this.name = name;
    this.type = type;
    this.present = present;
    this.matcher = matcher;
    this.invert = invert;
    this.treatMissingAsEmpty = treatMissingAsEmpty;
  }

  // Deprecated match fields are still accepted, as Envoy accepts them.
  @SuppressWarnings("deprecation")
  static HeaderMatch of(HeaderMatcher m, String field) throws AccessLogConfigException {
    String name = StringMatch.nonEmpty(m.getName(), field + ".name").toLowerCase(Locale.ROOT);
    Type type = Type.OTHER;
    boolean present = false;
    Predicate<String> matcher;
    switch (m.getHeaderMatchSpecifierCase()) {
      case EXACT_MATCH -> {
        String exact = m.getExactMatch();
        type = Type.VALUE;
        matcher = v -> exact.isEmpty() || v.equals(exact);
      }
      case SAFE_REGEX_MATCH -> matcher = StringMatch.regex(m.getSafeRegexMatch(), field + ".safe_regex_match");
      case RANGE_MATCH -> {
        long start = m.getRangeMatch().getStart();
        long end = m.getRangeMatch().getEnd();
        matcher = v -> {
          Long n = parseLong(v);
          return n != null && n >= start && n < end;
        };
      }
      case PRESENT_MATCH -> {
        type = Type.PRESENT;
        present = m.getPresentMatch();
        boolean p = present;
        matcher = v -> p;
      }
      case PREFIX_MATCH -> {
        String p = StringMatch.nonEmpty(m.getPrefixMatch(), field + ".prefix_match");
        matcher = v -> v.startsWith(p);
      }
      case SUFFIX_MATCH -> {
        String s = StringMatch.nonEmpty(m.getSuffixMatch(), field + ".suffix_match");
        matcher = v -> v.endsWith(s);
      }
      case CONTAINS_MATCH -> {
        String c = StringMatch.nonEmpty(m.getContainsMatch(), field + ".contains_match");
        matcher = v -> v.contains(c);
      }
      case STRING_MATCH -> matcher = StringMatch.of(m.getStringMatch(), field + ".string_match");
      // No specifier: the header only has to be present.
      default -> {
        type = Type.VALUE;
        matcher = v -> true;
      }
    }
    return new HeaderMatch(
        name, type, present, matcher, m.getInvertMatch(), m.getTreatMissingHeaderAsEmpty());
  }

  boolean matches(HeaderMap headers) {
    List<String> values = headers == null ? List.of() : headers.getAll(name);
    if (values.isEmpty() && !treatMissingAsEmpty) {
      return invert ? type == Type.PRESENT && present : type == Type.PRESENT && !present;
    }
    String value = values.isEmpty() ? "" : values.size() == 1 ? values.get(0) : String.join(",", values);
    return matcher.test(value) != invert;
  }

  /** absl's {@code SimpleAtoi}: optional surrounding whitespace and sign. */
  private static Long parseLong(String v) {
    String s = v.strip();
    if (s.startsWith("+")) {
      s = s.substring(1);
      if (s.startsWith("-") || s.startsWith("+")) {
        return null;
      }
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
