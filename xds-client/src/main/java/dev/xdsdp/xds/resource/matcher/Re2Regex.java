package dev.xdsdp.xds.resource.matcher;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.xdsdp.xds.resource.FieldPath;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;

/**
 * An RE2 regular expression (Envoy's {@code safe_regex}), compiled once. RE2 semantics: no
 * backreferences or lookaround, linear time, which is why Envoy uses it for untrusted input.
 */
public record Re2Regex(String regex, Pattern pattern) {

  public static Re2Regex compile(String regex, FieldPath path, String resource)
      throws ResourceInvalidException {
    try {
      return new Re2Regex(regex, Pattern.compile(regex));
    } catch (PatternSyntaxException e) {
      throw new ResourceInvalidException(
          resource, path.prefix() + "invalid regex '" + regex + "': " + e.getDescription());
    }
  }

  public static Re2Regex of(RegexMatcher matcher, FieldPath path, String resource)
      throws ResourceInvalidException {
    return compile(matcher.getRegex(), path.field("regex"), resource);
  }

  /** True when the whole of {@code value} matches (Envoy's {@code match()}). */
  public boolean fullMatch(String value) {
    return pattern.matches(value);
  }

  /** Replaces every match with {@code substitution} (RE2 {@code \1} groups), as Envoy's regex_rewrite. */
  public String replaceAll(String value, String substitution) {
    // RE2 (and Envoy) write groups as \1; re2j's replacement syntax uses $1.
    String javaStyle = substitution.replace("$", "\\$").replaceAll("\\\\(\\d)", "\\$$1");
    return pattern.matcher(value).replaceAll(javaStyle);
  }

  @Override
  public String toString() {
    return regex;
  }
}
