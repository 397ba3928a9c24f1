package dev.xdsdp.xds.resource.endpoint;

import com.google.protobuf.Message;
import java.util.List;

/**
 * A cluster's endpoints ({@code ClusterLoadAssignment}), inline or from EDS.
 *
 * @param overprovisioningFactor percent, Envoy's default 140
 * @param source the proto it came from, for {@code /config_dump}
 */
public record LoadAssignmentConfig(
    String clusterName, List<LocalityEndpoints> localities, int overprovisioningFactor, Message source) {

  public LoadAssignmentConfig {
    localities = List.copyOf(localities);
  }

  public int endpointCount() {
    int n = 0;
    for (LocalityEndpoints l : localities) {
      n += l.endpoints().size();
    }
    return n;
  }
}
