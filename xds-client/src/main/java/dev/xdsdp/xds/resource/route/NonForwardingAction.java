package dev.xdsdp.xds.resource.route;

/** {@code non_forwarding_action}: the route only carries per-filter config; the router answers 404. */
public record NonForwardingAction() implements RouteAction {}
