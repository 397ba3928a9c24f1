package dev.xdsdp.xds.resource.endpoint;

import dev.xdsdp.xds.resource.ConfigIssues;
import dev.xdsdp.xds.resource.FieldPath;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import dev.xdsdp.xds.resource.SocketAddressConfig;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Parses {@code envoy.config.endpoint.v3.ClusterLoadAssignment} (EDS, or a cluster's load_assignment). */
public final class EndpointResourceType {

  public static final String TYPE_URL = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  private static final Set<String> CLA_FIELDS = Set.of("cluster_name", "endpoints", "policy");
  // drop_overloads has its own report below.
  private static final Set<String> POLICY_FIELDS = Set.of("overprovisioning_factor", "weighted_priority_health", "drop_overloads");
  private static final Set<String> LOCALITY_FIELDS = Set.of(
      "locality", "lb_endpoints", "load_balancing_weight", "priority", "metadata");
  private static final Set<String> LB_ENDPOINT_FIELDS = Set.of(
      "endpoint", "health_status", "metadata", "load_balancing_weight");
  private static final Set<String> ENDPOINT_FIELDS = Set.of("address", "hostname", "health_check_config");

  private EndpointResourceType() {}

  public static LoadAssignmentConfig parse(ClusterLoadAssignment cla, ConfigIssues issues)
      throws ResourceInvalidException {
    return parse(cla, issues, FieldPath.ROOT, cla.getClusterName(), false);
  }

  /**
   * @param dnsNames true for STRICT_DNS/LOGICAL_DNS clusters, whose addresses may be host names
   */
  public static LoadAssignmentConfig parse(
      ClusterLoadAssignment cla, ConfigIssues issues, FieldPath base, String resource, boolean dnsNames)
      throws ResourceInvalidException {
    issues.checkFields(cla, base, CLA_FIELDS);
    int overprovisioning = 140;
    if (cla.hasPolicy()) {
      issues.checkFields(cla.getPolicy(), base.field("policy"), POLICY_FIELDS);
      if (cla.getPolicy().hasOverprovisioningFactor()) {
        overprovisioning = cla.getPolicy().getOverprovisioningFactor().getValue();
        if (overprovisioning <= 0) {
          throw new ResourceInvalidException(resource, base.field("policy").field("overprovisioning_factor").prefix()
              + "must be greater than 0");
        }
      }
      if (cla.getPolicy().getDropOverloadsCount() > 0) {
        issues.unsupported(base.field("policy").field("drop_overloads"), "drop_overloads is not supported");
      }
    }
    List<LocalityEndpoints> localities = new ArrayList<>();
    for (int i = 0; i < cla.getEndpointsCount(); i++) {
      FieldPath lp = base.field("endpoints").index(i);
      LocalityLbEndpoints l = cla.getEndpoints(i);
      issues.checkFields(l, lp, LOCALITY_FIELDS);
      List<EndpointConfig> eps = new ArrayList<>();
      for (int j = 0; j < l.getLbEndpointsCount(); j++) {
        FieldPath ep = lp.field("lb_endpoints").index(j);
        LbEndpoint lbe = l.getLbEndpoints(j);
        issues.checkFields(lbe, ep, LB_ENDPOINT_FIELDS);
        if (!lbe.hasEndpoint()) {
          throw new ResourceInvalidException(resource, ep.prefix() + "an lb_endpoint needs an endpoint");
        }
        issues.checkFields(lbe.getEndpoint(), ep.field("endpoint"), ENDPOINT_FIELDS);
        SocketAddressConfig address = SocketAddressConfig.parse(
            lbe.getEndpoint().getAddress(), ep.field("endpoint").field("address"), resource, false);
        if (!dnsNames && !address.isPipe() && !isIpLiteral(address.host())) {
          throw new ResourceInvalidException(resource, ep.field("endpoint").field("address").field("socket_address")
              .field("address").prefix() + "malformed IP address: " + address.host()
              + ". Consider setting resolver_name or setting cluster type to 'STRICT_DNS' or 'LOGICAL_DNS'");
        }
        EndpointConfig.HealthStatus health = switch (lbe.getHealthStatus()) {
          case UNHEALTHY, DRAINING, TIMEOUT -> EndpointConfig.HealthStatus.UNHEALTHY;
          case DEGRADED -> EndpointConfig.HealthStatus.DEGRADED;
          default -> EndpointConfig.HealthStatus.HEALTHY;
        };
        int weight = lbe.hasLoadBalancingWeight() ? lbe.getLoadBalancingWeight().getValue() : 1;
        if (weight < 1) {
          throw new ResourceInvalidException(resource, ep.field("load_balancing_weight").prefix() + "must be at least 1");
        }
        eps.add(new EndpointConfig(address, lbe.getEndpoint().getHostname(), health, weight));
      }
      int lw = l.hasLoadBalancingWeight() ? l.getLoadBalancingWeight().getValue() : 1;
      localities.add(new LocalityEndpoints(
          l.getLocality().getRegion(), l.getLocality().getZone(), l.getLocality().getSubZone(),
          l.getPriority(), lw, eps));
    }
    return new LoadAssignmentConfig(cla.getClusterName(), localities, overprovisioning, cla);
  }

  /** True for IPv4 and IPv6 literals (no DNS lookup happens). */
  public static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return host.matches("[0-9a-fA-F:.]+(%.+)?");
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }
}
