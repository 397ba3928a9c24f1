package dev.xdsdp.xds.resource.matcher;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.xds.resource.FieldPath;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import java.util.List;
import java.util.Locale;

/**
 * Envoy's {@code route.v3.HeaderMatcher}, with Envoy's semantics: several values of one header are
 * joined with "," before matching; a missing header matches only {@code present_match: false}
 * (inverted as Envoy inverts it) unless {@code treat_missing_header_as_empty}.
 */
public record HeaderMatcher(
    String name,
    Type type,
    String value,
    StringMatcher stringMatcher,
    Re2Regex regex,
    long rangeStart,
    long rangeEnd,
    boolean present,
    boolean invert,
    boolean treatMissingAsEmpty) {

  /** The comparison a header matcher performs. */
  public enum Type {
    VALUE,
    REGEX,
    RANGE,
    PRESENT,
    PREFIX,
    SUFFIX,
    CONTAINS,
    STRING_MATCH,
  }

  public static HeaderMatcher parse(
      io.envoyproxy.envoy.config.route.v3.HeaderMatcher proto, FieldPath path, String resource)
      throws ResourceInvalidException {
    String name = proto.getName().toLowerCase(Locale.ROOT);
    if (name.isEmpty()) {
      throw new ResourceInvalidException(resource, path.field("name").prefix() + "must not be empty");
    }
    boolean invert = proto.getInvertMatch();
    boolean missingEmpty = proto.getTreatMissingHeaderAsEmpty();
    return switch (proto.getHeaderMatchSpecifierCase()) {
      case EXACT_MATCH -> new HeaderMatcher(name, Type.VALUE, proto.getExactMatch(), null, null, 0, 0, false, invert, missingEmpty);
      case SAFE_REGEX_MATCH -> new HeaderMatcher(name, Type.REGEX, "", null,
          Re2Regex.of(proto.getSafeRegexMatch(), path.field("safe_regex_match"), resource), 0, 0, false, invert, missingEmpty);
      case RANGE_MATCH -> new HeaderMatcher(name, Type.RANGE, "", null, null,
          proto.getRangeMatch().getStart(), proto.getRangeMatch().getEnd(), false, invert, missingEmpty);
      case PRESENT_MATCH -> new HeaderMatcher(name, Type.PRESENT, "", null, null, 0, 0, proto.getPresentMatch(), invert, missingEmpty);
      case PREFIX_MATCH -> new HeaderMatcher(name, Type.PREFIX, proto.getPrefixMatch(), null, null, 0, 0, false, invert, missingEmpty);
      case SUFFIX_MATCH -> new HeaderMatcher(name, Type.SUFFIX, proto.getSuffixMatch(), null, null, 0, 0, false, invert, missingEmpty);
      case CONTAINS_MATCH -> new HeaderMatcher(name, Type.CONTAINS, proto.getContainsMatch(), null, null, 0, 0, false, invert, missingEmpty);
      case STRING_MATCH -> new HeaderMatcher(name, Type.STRING_MATCH, "",
          StringMatcher.parse(proto.getStringMatch(), path.field("string_match"), resource), null, 0, 0, false, invert, missingEmpty);
      // No specifier: the header must be present.
      case HEADERMATCHSPECIFIER_NOT_SET -> new HeaderMatcher(name, Type.PRESENT, "", null, null, 0, 0, true, invert, missingEmpty);
    };
  }

  /** True when every matcher matches (an empty list matches). */
  public static boolean matchAll(List<HeaderMatcher> matchers, HeaderMap headers) {
    for (HeaderMatcher m : matchers) {
      if (!m.matches(headers)) {
        return false;
      }
    }
    return true;
  }

  public boolean matches(HeaderMap headers) {
    String joined = joinedValue(headers, name);
    if (joined == null) {
      if (!treatMissingAsEmpty) {
        return invert ? (type == Type.PRESENT && present) : (type == Type.PRESENT && !present);
      }
      joined = "";
    }
    boolean match =
        switch (type) {
          case VALUE -> value.isEmpty() || joined.equals(value);
          case REGEX -> regex.fullMatch(joined);
          case RANGE -> inRange(joined);
          case PRESENT -> present;
          case PREFIX -> joined.startsWith(value);
          case SUFFIX -> joined.endsWith(value);
          case CONTAINS -> joined.contains(value);
          case STRING_MATCH -> stringMatcher.matches(joined);
        };
    return match != invert;
  }

  private boolean inRange(String v) {
    try {
      long n = Long.parseLong(v.trim());
      return n >= rangeStart && n < rangeEnd;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** All values of {@code name} joined with ",", or null when the header is absent. */
  static String joinedValue(HeaderMap headers, String name) {
    List<String> all = headers.getAll(name);
    if (all.isEmpty()) {
      return null;
    }
    return all.size() == 1 ? all.get(0) : String.join(",", all);
  }
}
