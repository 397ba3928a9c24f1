package dev.xdsdp.dataplane.upstream;

/**
 * A request failed because the connection it waited for (made by another request to the same
 * host, {@link Http2ConnectGate}) could not be established. The cause is that connect's failure;
 * the connect failure itself is counted once, on the request that made it, as Envoy counts
 * {@code upstream_cx_connect_fail} per connection and not per pending stream.
 */
public final class SharedConnectFailure extends RuntimeException {

  SharedConnectFailure(Throwable connectFailure) {
    super(connectFailure.getMessage(), connectFailure, false, false);
  }
}
