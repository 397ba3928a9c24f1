package dev.xdsdp.dataplane.filters.headermutation;

import com.google.protobuf.Any;
import dev.xdsdp.api.filter.AbstractFilterFactory;
import dev.xdsdp.api.filter.FactoryContext;
import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.api.filter.FilterFactory;
import dev.xdsdp.api.filter.RouteSpecificConfig;
import dev.xdsdp.dataplane.router.HeaderMutator;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutationPerRoute;
import java.util.Set;

/** Registers {@code envoy.filters.http.header_mutation}. */
public final class HeaderMutationFilterFactory extends AbstractFilterFactory<HeaderMutation> {

  public static final String NAME = "envoy.filters.http.header_mutation";
  static final String PER_ROUTE_TYPE =
      "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutationPerRoute";

  private final HeaderMutator.ValueFormatter formatter;

  public HeaderMutationFilterFactory(HeaderMutator.ValueFormatter formatter) {
    super(NAME, HeaderMutation.class, HeaderMutation.getDefaultInstance());
    this.formatter = formatter;
  }

  @Override
  protected FilterFactory createFilterFactory(HeaderMutation proto, FactoryContext context) throws FilterConfigException {
    HeaderMutationConfig config = HeaderMutationConfig.parse(proto.getMutations(), proto.getMostSpecificHeaderMutationsWins());
    return () -> new HeaderMutationFilter(config, formatter);
  }

  @Override
  public Set<String> configTypeUrls() {
    return Set.of("type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation", PER_ROUTE_TYPE);
  }

  @Override
  public RouteSpecificConfig createRouteSpecificConfig(Any config, FactoryContext context) throws FilterConfigException {
    if (config.getTypeUrl().equals(PER_ROUTE_TYPE)) {
      return HeaderMutationConfig.parse(unpack(config, HeaderMutationPerRoute.class).getMutations(), false);
    }
    HeaderMutation full = unpack(config, HeaderMutation.class);
    return HeaderMutationConfig.parse(full.getMutations(), full.getMostSpecificHeaderMutationsWins());
  }
}
