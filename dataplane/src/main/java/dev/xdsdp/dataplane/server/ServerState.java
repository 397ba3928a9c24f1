package dev.xdsdp.dataplane.server;

/** Envoy's server states, with the values of the {@code server.state} gauge. */
public enum ServerState {
  LIVE(0),
  DRAINING(1),
  PRE_INITIALIZING(2),
  INITIALIZING(3);

  private final int value;

  ServerState(int value) {
    this.value = value;
  }

  public int value() {
    return value;
  }
}
