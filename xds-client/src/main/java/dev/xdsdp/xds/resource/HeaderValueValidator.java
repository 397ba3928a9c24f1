package dev.xdsdp.xds.resource;

/**
 * Checks a header value to add ({@code request_headers_to_add} and friends) once, when the config
 * is parsed, as Envoy does: a value with substitution commands ({@code %REQ(x-foo)%}) that do not
 * parse makes the route configuration invalid. The command syntax belongs to the data plane's
 * formatter, so the check is passed in through the {@link ParseContext}.
 */
@FunctionalInterface
public interface HeaderValueValidator {

  /** Accepts every value (nothing is checked). */
  HeaderValueValidator NONE = value -> null;

  /** Why {@code value} cannot be used, or null when it can. Called only for values with a '%'. */
  String problem(String value);
}
