package dev.xdsdp.api.filter;

/**
 * A filter's parsed {@code typed_per_filter_config} on a route, virtual host or route
 * configuration. Immutable; the filter downcasts it to its own type.
 */
public interface RouteSpecificConfig {}
