package dev.xdsdp.dataplane.filters.tcpproxy;

import dev.xdsdp.api.network.NetworkFilter;
import dev.xdsdp.api.network.NetworkFilterFactory;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.dataplane.upstream.ClusterManager;
import dev.xdsdp.xds.resource.listener.TcpProxyConfig;

/**
 * The terminal filter of a TCP chain ({@code envoy.filters.network.tcp_proxy}): one per filter
 * chain config, shared by every event loop; it makes a {@link TcpProxyFilter} per connection. Its
 * stats exist from the moment the config is built.
 */
public final class TcpProxyFilterFactory implements NetworkFilterFactory {

  private final TcpProxyConfig config;
  private final ClusterManager clusters;
  private final TcpProxyStats stats;

  public TcpProxyFilterFactory(TcpProxyConfig config, ClusterManager clusters, StatsScope statsRoot) {
    this.config = config;
    this.clusters = clusters;
    this.stats = new TcpProxyStats(statsRoot, config.statPrefix());
  }

  public TcpProxyConfig config() {
    return config;
  }

  @Override
  public NetworkFilter create() {
    return new TcpProxyFilter(config, clusters, stats);
  }
}
