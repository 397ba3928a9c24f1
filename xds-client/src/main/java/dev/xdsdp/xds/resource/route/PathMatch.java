package dev.xdsdp.xds.resource.route;

import dev.xdsdp.xds.resource.matcher.Re2Regex;
import java.util.Locale;

/**
 * The path part of a route match: {@code prefix}, {@code path}, {@code safe_regex} or
 * {@code path_separated_prefix}, with {@code case_sensitive}. Prefix matching sees the whole
 * {@code :path} (query included), the others the path without query and fragment, as Envoy.
 */
public record PathMatch(Kind kind, String value, Re2Regex regex, boolean caseSensitive) {

  /** Which path comparison a route uses. */
  public enum Kind {
    PREFIX,
    PATH,
    REGEX,
    PATH_SEPARATED_PREFIX,
    CONNECT,
  }

  public PathMatch {
    if (!caseSensitive && value != null) {
      value = value.toLowerCase(Locale.ROOT);
    }
  }

  /**
   * True when this matcher accepts the request. {@code pathOnly} is {@code fullPath} without its
   * query string and fragment.
   */
  public boolean matches(String method, String fullPath, String pathOnly) {
    return switch (kind) {
      case PREFIX -> startsWith(fullPath, value);
      case PATH -> caseSensitive ? pathOnly.equals(value) : pathOnly.equalsIgnoreCase(value);
      case REGEX -> regex.fullMatch(pathOnly);
      case PATH_SEPARATED_PREFIX -> {
        if (!startsWith(pathOnly, value)) {
          yield false;
        }
        yield pathOnly.length() == value.length() || pathOnly.charAt(value.length()) == '/';
      }
      case CONNECT -> "CONNECT".equals(method);
    };
  }

  private boolean startsWith(String s, String prefix) {
    return s.regionMatches(!caseSensitive, 0, prefix, 0, prefix.length());
  }

  /** The length of the matched prefix, for {@code prefix_rewrite}. */
  public int prefixLength() {
    return kind == Kind.PREFIX || kind == Kind.PATH_SEPARATED_PREFIX ? value.length() : 0;
  }
}
