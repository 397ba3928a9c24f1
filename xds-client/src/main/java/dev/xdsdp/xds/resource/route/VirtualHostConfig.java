package dev.xdsdp.xds.resource.route;

import dev.xdsdp.api.filter.RouteSpecificConfig;
import java.util.List;
import java.util.Map;

/** A virtual host: domains, routes in order, header edits, retry policy, per-filter configs. */
public record VirtualHostConfig(
    String name,
    List<String> domains,
    List<RouteConfig> routes,
    HeaderMutations requestHeaders,
    HeaderMutations responseHeaders,
    RetryPolicyConfig retryPolicy,
    boolean includeRequestAttemptCount,
    boolean includeAttemptCountInResponse,
    Map<String, RouteSpecificConfig> perFilterConfig) {

  public VirtualHostConfig {
    domains = List.copyOf(domains);
    routes = List.copyOf(routes);
    perFilterConfig = Map.copyOf(perFilterConfig);
  }
}
