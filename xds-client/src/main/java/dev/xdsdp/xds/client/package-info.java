/**
 * Subscriptions, watchers and the resource cache: {@link dev.xdsdp.xds.client.XdsClient} parses
 * responses into records, applies the valid resources, records errors for {@code /config_dump},
 * and runs the {@code initial_fetch_timeout} timers. Everything runs on the xDS context.
 */
package dev.xdsdp.xds.client;
