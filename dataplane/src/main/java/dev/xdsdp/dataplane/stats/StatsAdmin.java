package dev.xdsdp.dataplane.stats;

/**
 * The admin stats endpoints as functions of the query string; the admin HTTP server maps
 * {@code /stats} to {@link #stats} and {@code /stats/prometheus} to {@link #prometheus} and sends
 * back the {@link StatsResponse}. Rendering reads stats without locking, so it may run on any
 * thread; for large stores call it off the event loop.
 */
public final class StatsAdmin {

  private final StatsStore store;

  public StatsAdmin(StatsStore store) {
    this.store = store;
  }

  /**
   * {@code /stats}: text ({@code name: value} lines), {@code format=json} or
   * {@code format=prometheus}; with {@code usedonly}, {@code filter=<re2>},
   * {@code type=Counters|Gauges|Histograms|TextReadouts|All} and
   * {@code histogram_buckets=summary|cumulative|disjoint|detailed}.
   *
   * @param query the raw query string, without the {@code ?}; null or "" for none
   */
  public StatsResponse stats(String query) {
    StatsParams params;
    try {
      params = StatsParams.parse(query);
    } catch (StatsParams.InvalidParamException e) {
      return StatsResponse.badRequest(e.getMessage());
    }
    return switch (params.format()) {
      case TEXT -> new StatsResponse(200, StatsResponse.TEXT, StatsTextRenderer.text(store, params));
      case JSON -> new StatsResponse(200, StatsResponse.JSON, StatsTextRenderer.json(store, params));
      case PROMETHEUS -> PrometheusRenderer.render(store, params);
    };
  }

  /**
   * {@code /stats/prometheus}: Envoy's Prometheus text, with {@code usedonly}, {@code filter} and
   * {@code histogram_buckets=summary} (histograms as summaries of the last interval).
   */
  public StatsResponse prometheus(String query) {
    StatsParams params;
    try {
      params = StatsParams.parse(query);
    } catch (StatsParams.InvalidParamException e) {
      return StatsResponse.badRequest(e.getMessage());
    }
    return PrometheusRenderer.render(store, params);
  }
}
