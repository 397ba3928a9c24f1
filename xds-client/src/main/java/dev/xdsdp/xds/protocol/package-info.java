/**
 * The xDS protocol on one ADS stream: {@link dev.xdsdp.xds.protocol.ControlPlaneClient} keeps per
 * type URL the accepted version, nonce and subscription, ACKs or NACKs every response, and
 * reconnects with {@link dev.xdsdp.xds.protocol.Backoff}. Runs on the xDS context (one thread,
 * no locks); transport callbacks hop onto it.
 */
package dev.xdsdp.xds.protocol;
