package dev.xdsdp.xds.resource.listener;

import java.util.List;

/**
 * One filter chain of a listener: when it applies, and its network filters. A chain ends either in
 * an HTTP connection manager ({@code hcm}) or in a TCP proxy ({@code tcpProxy}); exactly one of
 * the two is set. {@code networkFilters} are the filters before the terminal one (only TCP chains
 * may have them here).
 */
public record FilterChainConfig(
    String name, FilterChainMatchConfig match, List<NetworkFilterConfig> networkFilters, HcmConfig hcm,
    TcpProxyConfig tcpProxy) {

  public FilterChainConfig {
    networkFilters = List.copyOf(networkFilters);
    if ((hcm == null) == (tcpProxy == null)) {
      throw new IllegalArgumentException("a filter chain ends in exactly one of an HCM or a TCP proxy");
    }
  }

  /** An HTTP chain: only the connection manager. */
  public FilterChainConfig(String name, FilterChainMatchConfig match, HcmConfig hcm) {
    this(name, match, List.of(), hcm, null);
  }

  /** True when the chain ends in the HTTP connection manager. */
  public boolean isHttp() {
    return hcm != null;
  }
}
