package dev.xdsdp.xds.resource.matcher;

import dev.xdsdp.xds.resource.FieldPath;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import java.util.Map;

/**
 * Envoy's {@code route.v3.QueryParameterMatcher}: the named parameter must be present
 * ({@code present_match}, or no specifier) or its value must match {@code string_match}.
 */
public record QueryParameterMatcher(String name, StringMatcher stringMatcher, boolean presentMatch) {

  public static QueryParameterMatcher parse(
      io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher proto, FieldPath path, String resource)
      throws ResourceInvalidException {
    if (proto.getName().isEmpty()) {
      throw new ResourceInvalidException(resource, path.field("name").prefix() + "must not be empty");
    }
    return switch (proto.getQueryParameterMatchSpecifierCase()) {
      case STRING_MATCH -> new QueryParameterMatcher(proto.getName(),
          StringMatcher.parse(proto.getStringMatch(), path.field("string_match"), resource), false);
      case PRESENT_MATCH -> new QueryParameterMatcher(proto.getName(), null, proto.getPresentMatch());
      case QUERYPARAMETERMATCHSPECIFIER_NOT_SET -> new QueryParameterMatcher(proto.getName(), null, true);
    };
  }

  /** {@code params} maps each parameter to its first value (Envoy's parse of the query string). */
  public boolean matches(Map<String, String> params) {
    String v = params.get(name);
    if (stringMatcher == null) {
      return presentMatch == (v != null);
    }
    return v != null && stringMatcher.matches(v);
  }
}
