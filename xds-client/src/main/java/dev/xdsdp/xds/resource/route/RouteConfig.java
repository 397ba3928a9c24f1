package dev.xdsdp.xds.resource.route;

import dev.xdsdp.api.filter.RouteSpecificConfig;
import java.util.Map;

/** One route of a virtual host. */
public record RouteConfig(
    String name,
    RouteMatchConfig match,
    RouteAction action,
    HeaderMutations requestHeaders,
    HeaderMutations responseHeaders,
    Map<String, RouteSpecificConfig> perFilterConfig) {

  public RouteConfig {
    perFilterConfig = Map.copyOf(perFilterConfig);
  }
}
