package dev.xdsdp.xds.transport;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;

/**
 * A connection to one ADS server that can open aggregated discovery streams. It carries messages
 * and knows nothing of resources, versions or ACKs: that is {@code ControlPlaneClient}'s part.
 * Implementations are thread-safe.
 */
public interface XdsTransport extends AutoCloseable {

  /** Opens a state-of-the-world ADS stream ({@code StreamAggregatedResources}). */
  XdsStream<DiscoveryRequest> openSotw(StreamEventHandler<DiscoveryResponse> handler);

  /** Opens an incremental ADS stream ({@code DeltaAggregatedResources}). */
  XdsStream<DeltaDiscoveryRequest> openDelta(StreamEventHandler<DeltaDiscoveryResponse> handler);

  /**
   * Asks the transport to retry its connection now rather than after its own backoff (the
   * caller's backoff already waited).
   */
  default void resetConnectBackoff() {}

  /** A description of the server for logs, e.g. {@code 127.0.0.1:15010} or {@code unix:/etc/istio/proxy/XDS}. */
  String target();

  /** Closes every stream and releases the connection. */
  @Override
  void close();
}
