package dev.xdsdp.xds.testing;

import dev.xdsdp.api.filter.AbstractFilterFactory;
import dev.xdsdp.api.filter.FactoryContext;
import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.api.filter.FilterFactory;
import dev.xdsdp.api.http.FilterHeadersStatus;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.http.HttpFilter;
import dev.xdsdp.api.registry.ExtensionRegistry;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal extension registry for xDS tests: a terminal filter configured by
 * {@code envoy.extensions.filters.http.router.v3.Router} and a header-adding filter configured by
 * {@code envoy.extensions.filters.http.header_mutation.v3.HeaderMutation} (its request mutations'
 * {@code append} entries), plus a pass-through filter configured by
 * {@code set_metadata.v3.Config}. The real router lives in the data plane.
 */
public final class TestFilters {

  public static final String ROUTER_TYPE_URL = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";
  public static final String HEADER_MUTATION_TYPE_URL =
      "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation";

  public static final String SET_METADATA_TYPE_URL =
      "type.googleapis.com/envoy.extensions.filters.http.set_metadata.v3.Config";

  /** How many header-adding factories were released (replaced ECDS configs that failed a check). */
  public static final AtomicInteger RELEASED = new AtomicInteger();

  private TestFilters() {}

  public static ExtensionRegistry registry() {
    return ExtensionRegistry.builder().register(new TerminalFactory()).register(new AddHeadersFactory())
        .register(new NoOpFactory()).build();
  }

  /** The header-adding filter's factory: adds the configured request headers. */
  public record AddHeaders(List<String[]> headers) implements FilterFactory {
    @Override
    public HttpFilter create() {
      return new HttpFilter() {
        @Override
        public FilterHeadersStatus decodeHeaders(HeaderMap h, boolean endStream) {
          for (String[] kv : headers) {
            h.add(kv[0], kv[1]);
          }
          return FilterHeadersStatus.CONTINUE;
        }
      };
    }

    @Override
    public void release() {
      RELEASED.incrementAndGet();
    }
  }

  private static final class TerminalFactory extends AbstractFilterFactory<Router> {
    TerminalFactory() {
      super("envoy.filters.http.router", Router.class, Router.getDefaultInstance());
    }

    @Override
    protected FilterFactory createFilterFactory(Router config, FactoryContext context) {
      return () -> new HttpFilter() {};
    }

    @Override
    public boolean isTerminal() {
      return true;
    }
  }

  /** A pass-through filter configured by {@code set_metadata.v3.Config}, for a second non-terminal type. */
  private static final class NoOpFactory
      extends AbstractFilterFactory<io.envoyproxy.envoy.extensions.filters.http.set_metadata.v3.Config> {
    NoOpFactory() {
      super("envoy.filters.http.set_metadata", io.envoyproxy.envoy.extensions.filters.http.set_metadata.v3.Config.class,
          io.envoyproxy.envoy.extensions.filters.http.set_metadata.v3.Config.getDefaultInstance());
    }

    @Override
    protected FilterFactory createFilterFactory(
        io.envoyproxy.envoy.extensions.filters.http.set_metadata.v3.Config config, FactoryContext context) {
      return () -> new HttpFilter() {};
    }
  }

  private static final class AddHeadersFactory extends AbstractFilterFactory<HeaderMutation> {
    AddHeadersFactory() {
      super("envoy.filters.http.header_mutation", HeaderMutation.class, HeaderMutation.getDefaultInstance());
    }

    @Override
    protected FilterFactory createFilterFactory(HeaderMutation config, FactoryContext context)
        throws FilterConfigException {
      List<String[]> headers = new ArrayList<>();
      var m = config.getMutations().getRequestMutationsList();
      for (int i = 0; i < m.size(); i++) {
        if (!m.get(i).hasAppend()) {
          throw new FilterConfigException("mutations.request_mutations[" + i + "]: only append is supported");
        }
        HeaderValueOption o = m.get(i).getAppend();
        if (o.getHeader().getKey().isEmpty()) {
          throw new FilterConfigException("mutations.request_mutations[" + i + "].append.header.key: must not be empty");
        }
        headers.add(new String[] {o.getHeader().getKey(), o.getHeader().getValue()});
      }
      return new AddHeaders(headers);
    }
  }
}
