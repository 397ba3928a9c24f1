package dev.xdsdp.xds.resource.endpoint;

import java.util.List;

/** The endpoints of one locality at one priority. */
public record LocalityEndpoints(
    String region, String zone, String subZone, int priority, int weight, List<EndpointConfig> endpoints) {

  public LocalityEndpoints {
    endpoints = List.copyOf(endpoints);
  }
}
