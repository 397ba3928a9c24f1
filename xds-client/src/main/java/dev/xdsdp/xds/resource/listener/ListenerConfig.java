package dev.xdsdp.xds.resource.listener;

import com.google.protobuf.Message;
import dev.xdsdp.xds.resource.SocketAddressConfig;
import java.util.List;

/**
 * A validated listener.
 *
 * @param statPrefix the scope of its stats: {@code stat_prefix} or the address ({@code 0.0.0.0_8080})
 * @param defaultFilterChain used when no chain matches, or null
 * @param source the proto it came from, for {@code /config_dump} and change detection
 */
public record ListenerConfig(
    String name,
    SocketAddressConfig address,
    String statPrefix,
    List<FilterChainConfig> filterChains,
    FilterChainConfig defaultFilterChain,
    String trafficDirection,
    int perConnectionBufferLimitBytes,
    boolean bindToPort,
    Message source) {

  public ListenerConfig {
    filterChains = List.copyOf(filterChains);
  }

  /** Every filter chain including the default one. */
  public List<FilterChainConfig> allFilterChains() {
    if (defaultFilterChain == null) {
      return filterChains;
    }
    var all = new java.util.ArrayList<>(filterChains);
    all.add(defaultFilterChain);
    return List.copyOf(all);
  }
}
