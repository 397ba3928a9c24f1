package dev.xdsdp.xds.resource.route;

import dev.xdsdp.xds.resource.matcher.HeaderMatcher;
import dev.xdsdp.xds.resource.matcher.QueryParameterMatcher;
import java.util.List;

/**
 * A route's {@code match}: the path, header and query parameter conditions, gRPC-only, and a
 * runtime fraction (the default value; there is no runtime layer).
 *
 * @param runtimeFraction probability in [0, 1] that the route matches, 1 when not set
 */
public record RouteMatchConfig(
    PathMatch path,
    List<HeaderMatcher> headers,
    List<QueryParameterMatcher> queryParameters,
    boolean grpcOnly,
    double runtimeFraction) {

  public RouteMatchConfig {
    headers = List.copyOf(headers);
    queryParameters = List.copyOf(queryParameters);
  }
}
