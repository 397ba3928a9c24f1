package dev.xdsdp.xds.resource.matcher;

import dev.xdsdp.xds.resource.FieldPath;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import java.util.Locale;

/**
 * Envoy's {@code type.matcher.v3.StringMatcher}: exact, prefix, suffix, contains or safe_regex, with
 * {@code ignore_case} for all but the regex.
 */
public record StringMatcher(Kind kind, String value, Re2Regex regex, boolean ignoreCase) {

  /** Which comparison a matcher does. */
  public enum Kind {
    EXACT,
    PREFIX,
    SUFFIX,
    CONTAINS,
    REGEX,
  }

  public static StringMatcher exact(String value) {
    return new StringMatcher(Kind.EXACT, value, null, false);
  }

  public static StringMatcher parse(
      io.envoyproxy.envoy.type.matcher.v3.StringMatcher proto, FieldPath path, String resource)
      throws ResourceInvalidException {
    boolean ic = proto.getIgnoreCase();
    return switch (proto.getMatchPatternCase()) {
      case EXACT -> new StringMatcher(Kind.EXACT, proto.getExact(), null, ic);
      case PREFIX -> nonEmpty(new StringMatcher(Kind.PREFIX, proto.getPrefix(), null, ic), path, "prefix", resource);
      case SUFFIX -> nonEmpty(new StringMatcher(Kind.SUFFIX, proto.getSuffix(), null, ic), path, "suffix", resource);
      case CONTAINS -> nonEmpty(new StringMatcher(Kind.CONTAINS, proto.getContains(), null, ic), path, "contains", resource);
      case SAFE_REGEX -> new StringMatcher(Kind.REGEX, "", Re2Regex.of(proto.getSafeRegex(), path.field("safe_regex"), resource), false);
      case CUSTOM -> throw new ResourceInvalidException(resource, path.field("custom").prefix() + "custom string matchers are not supported");
      case MATCHPATTERN_NOT_SET -> throw new ResourceInvalidException(resource, path.prefix() + "a string matcher needs one of exact, prefix, suffix, contains, safe_regex");
    };
  }

  private static StringMatcher nonEmpty(StringMatcher m, FieldPath path, String field, String resource)
      throws ResourceInvalidException {
    if (m.value.isEmpty()) {
      throw new ResourceInvalidException(resource, path.field(field).prefix() + "must not be empty");
    }
    return m;
  }

  public boolean matches(String input) {
    if (input == null) {
      return false;
    }
    if (kind == Kind.REGEX) {
      return regex.fullMatch(input);
    }
    String in = ignoreCase ? input.toLowerCase(Locale.ROOT) : input;
    String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
    return switch (kind) {
      case EXACT -> in.equals(v);
      case PREFIX -> in.startsWith(v);
      case SUFFIX -> in.endsWith(v);
      case CONTAINS -> in.contains(v);
      case REGEX -> throw new AssertionError();
    };
  }
}
