package dev.xdsdp.api.network;

/**
 * Makes the filter instance of one connection from an already parsed and validated config (Envoy's
 * {@code Network::FilterFactoryCb}). Created once per config, off the event loops;
 * {@link #create()} runs on the connection's event loop and must be cheap.
 */
@FunctionalInterface
public interface NetworkFilterFactory {

  NetworkFilter create();

  /**
   * Called once when no listener config refers to this factory any more and its last connection
   * has ended (a Wasm network filter closes its VMs here).
   */
  default void release() {}
}
