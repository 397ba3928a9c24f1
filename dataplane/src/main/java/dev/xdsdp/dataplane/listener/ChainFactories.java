package dev.xdsdp.dataplane.listener;

import dev.xdsdp.dataplane.http.HttpConnectionManager;
import dev.xdsdp.dataplane.network.NetworkFilterChainFactory;
import dev.xdsdp.xds.resource.listener.FilterChainConfig;
import dev.xdsdp.xds.resource.listener.ListenerConfig;

/**
 * What the server builds for each filter chain of a listener config: an HTTP connection manager
 * for a chain that ends in one, the network filters for a TCP chain. Called once per chain per
 * listener config (generation), off the event loops.
 */
public interface ChainFactories {

  HttpConnectionManager http(ListenerConfig listener, FilterChainConfig chain);

  NetworkFilterChainFactory tcp(ListenerConfig listener, FilterChainConfig chain);
}
