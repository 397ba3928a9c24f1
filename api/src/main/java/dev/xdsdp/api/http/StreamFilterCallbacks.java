package dev.xdsdp.api.http;

import dev.xdsdp.api.filter.FilterDispatcher;
import dev.xdsdp.api.filter.RouteSpecificConfig;
import dev.xdsdp.api.stream.StreamInfo;

/** What the filter manager offers every filter of a stream, in both directions. */
public interface StreamFilterCallbacks {

  /** A process-unique id of this stream. */
  long streamId();

  /** The stream's facts: addresses, timings, route, upstream, response code and flags. */
  StreamInfo streamInfo();

  /** Runs work later on this stream's event loop (timers, completions of asynchronous calls). */
  FilterDispatcher dispatcher();

  /**
   * The route selected for this request, or null when none matched (or routing has not happened
   * yet and cannot, e.g. no {@code :authority}). Selection is cached until {@link #clearRouteCache()}.
   */
  RouteView route();

  /**
   * Forget the cached route so the next {@link #route()} matches again; a filter that changes
   * headers the route depends on calls this (Envoy's {@code clearRouteCache}).
   */
  void clearRouteCache();

  /**
   * The most specific {@code typed_per_filter_config} for the calling filter's name (route, then
   * virtual host, then route configuration), or null.
   */
  RouteSpecificConfig perRouteConfig();

  /** Abort the stream in both directions (downstream reset, upstream cancelled). */
  void resetStream();
}
