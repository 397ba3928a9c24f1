package dev.xdsdp.xds.resource.route;

/** {@code direct_response}: answer with a status and an optional body. */
public record DirectResponseAction(int status, String body) implements RouteAction {}
