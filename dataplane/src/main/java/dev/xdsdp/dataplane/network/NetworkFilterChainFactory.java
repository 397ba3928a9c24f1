package dev.xdsdp.dataplane.network;

import dev.xdsdp.api.network.NetworkFilter;
import dev.xdsdp.api.network.NetworkFilterFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The network filters of one TCP filter chain config, in order, the terminal one last: makes each
 * connection's filter instances. Shared by every event loop.
 */
public record NetworkFilterChainFactory(List<NetworkFilterFactory> factories) {

  public NetworkFilterChainFactory {
    factories = List.copyOf(factories);
  }

  /** New filter instances for one connection; call on its event loop. */
  public List<NetworkFilter> create() {
    List<NetworkFilter> out = new ArrayList<>(factories.size());
    for (NetworkFilterFactory f : factories) {
      out.add(f.create());
    }
    return out;
  }
}
