package dev.xdsdp.dataplane.router;

import dev.xdsdp.api.filter.AbstractFilterFactory;
import dev.xdsdp.api.filter.FactoryContext;
import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.api.filter.FilterFactory;
import dev.xdsdp.dataplane.upstream.ClusterManager;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;

/** Registers {@code envoy.filters.http.router}. */
public final class RouterFilterFactory extends AbstractFilterFactory<Router> {

  public static final String NAME = "envoy.filters.http.router";

  private final ClusterManager clusters;
  private final HeaderMutator mutator;

  public RouterFilterFactory(ClusterManager clusters, HeaderMutator.ValueFormatter formatter) {
    super(NAME, Router.class, Router.getDefaultInstance());
    this.clusters = clusters;
    this.mutator = new HeaderMutator(formatter);
  }

  @Override
  protected FilterFactory createFilterFactory(Router proto, FactoryContext context) throws FilterConfigException {
    if (proto.getUpstreamLogCount() > 0) {
      throw new FilterConfigException("upstream_log: upstream access logs are not supported");
    }
    if (proto.getUpstreamHttpFiltersCount() > 0) {
      throw new FilterConfigException("upstream_http_filters: upstream HTTP filters are not supported");
    }
    RouterConfig config = new RouterConfig(proto.getSuppressEnvoyHeaders());
    RouterStats stats = new RouterStats(context.scope());
    return () -> new RouterFilter(config, stats, clusters, mutator);
  }

  @Override
  public boolean isTerminal() {
    return true;
  }
}
