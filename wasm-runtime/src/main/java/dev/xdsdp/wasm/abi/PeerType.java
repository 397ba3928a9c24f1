package dev.xdsdp.wasm.abi;

/** {@code proxy_peer_type_t}: who closed a TCP connection, as the close callbacks report it. */
public enum PeerType {
  UNKNOWN,
  LOCAL,
  REMOTE;

  public int code() {
    return ordinal();
  }
}
