package dev.xdsdp.xds.resource.route;

import dev.xdsdp.xds.resource.matcher.Re2Regex;

/**
 * {@code redirect}: answer with a 3xx and a {@code location} built from the request with these parts
 * replaced (null or 0 = keep).
 */
public record RedirectAction(
    String scheme,
    String host,
    int port,
    String path,
    String prefixRewrite,
    Re2Regex regexRewrite,
    String regexSubstitution,
    int responseCode,
    boolean stripQuery) implements RouteAction {}
