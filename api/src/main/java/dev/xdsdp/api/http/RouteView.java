package dev.xdsdp.api.http;

import java.time.Duration;

/** What a filter may know of the route selected for its request. */
public interface RouteView {

  /** The route's {@code name}, or empty. */
  String name();

  /** The virtual host's name. */
  String virtualHostName();

  /** The route configuration's name (RDS name or inline name), or empty. */
  String routeConfigName();

  /** The target cluster for this request, or null for direct responses and redirects. */
  String clusterName();

  /** The upstream timeout (0 = none). */
  Duration timeout();
}
