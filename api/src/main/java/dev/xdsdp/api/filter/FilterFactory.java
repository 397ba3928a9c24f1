package dev.xdsdp.api.filter;

import dev.xdsdp.api.http.HttpFilter;

/**
 * Makes the filter instance of one stream from an already parsed and validated config, Envoy's
 * {@code FilterFactoryCb}. Created once per config, off the event loops; {@link #create()} is
 * called on the stream's event loop and must be cheap.
 */
@FunctionalInterface
public interface FilterFactory {

  HttpFilter create();

  /**
   * Called once when no config snapshot refers to this factory any more and its last stream has
   * ended (e.g. a Wasm filter replaced by ECDS closes its VMs here).
   */
  default void release() {}
}
