package dev.xdsdp.api.network;

/** A downstream connection event (Envoy's {@code Network::ConnectionEvent}). */
public enum ConnectionEvent {
  /** The peer closed the connection (or reset it). */
  REMOTE_CLOSE,
  /** The proxy closed the connection (a filter, a timeout, the upstream going away, a drain). */
  LOCAL_CLOSE,
}
