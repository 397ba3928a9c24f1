package dev.xdsdp.dataplane.router;

/**
 * The router filter's config ({@code envoy.extensions.filters.http.router.v3.Router}).
 *
 * @param suppressEnvoyHeaders do not add {@code x-envoy-*} headers (upstream service time,
 *     expected timeout, original path)
 */
public record RouterConfig(boolean suppressEnvoyHeaders) {}
