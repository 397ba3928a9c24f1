/**
 * Loading Envoy configs: the v3 bootstrap ({@link dev.xdsdp.xds.bootstrap.BootstrapLoader}),
 * any single Envoy message from YAML or JSON ({@link dev.xdsdp.xds.bootstrap.EnvoyJson}), the
 * registry of every Envoy message type that resolves {@code typed_config} Anys
 * ({@link dev.xdsdp.xds.bootstrap.EnvoyTypeRegistry}), and Envoy's TypedStruct leniency
 * ({@link dev.xdsdp.xds.bootstrap.TypedStructs}).
 *
 * <p>Errors are {@link dev.xdsdp.xds.bootstrap.ConfigParseException}s whose message names the
 * source and the field path as the user wrote it. Everything here is stateless or immutable and
 * safe to call from any thread; none of it should run on an event loop (it reads files and the
 * first call builds the type registry).
 */
package dev.xdsdp.xds.bootstrap;
