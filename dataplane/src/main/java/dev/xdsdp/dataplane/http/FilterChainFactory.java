package dev.xdsdp.dataplane.http;

import dev.xdsdp.api.filter.FilterFactory;
import dev.xdsdp.api.http.HttpFilter;
import dev.xdsdp.xds.resource.listener.HttpFilterConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Makes the filter instances of one stream from an HTTP connection manager's filter configs. An
 * ECDS-provided filter is looked up in {@code dynamicConfigs} per stream, so a new config applies
 * to new streams only.
 */
public final class FilterChainFactory {

  private final List<HttpFilterConfig> configs;
  private final List<String> names;
  private final Function<String, FilterFactory> dynamicConfigs;

  /**
   * @param dynamicConfigs the current ECDS config by filter name (null when none has arrived)
   */
  public FilterChainFactory(List<HttpFilterConfig> configs, Function<String, FilterFactory> dynamicConfigs) {
    this.configs = List.copyOf(configs);
    List<String> n = new ArrayList<>();
    for (HttpFilterConfig c : configs) {
      n.add(c.name());
    }
    this.names = List.copyOf(n);
    this.dynamicConfigs = dynamicConfigs;
  }

  public List<String> names() {
    return names;
  }

  /** New filter instances for one stream, in chain order. */
  public List<HttpFilter> createFilters() {
    List<HttpFilter> out = new ArrayList<>(configs.size());
    for (HttpFilterConfig c : configs) {
      FilterFactory f = c.factory();
      if (f == null) {
        f = dynamicConfigs.apply(c.name());
        if (f == null && c.discovery() != null) {
          f = c.discovery().defaultFactory();
        }
      }
      out.add(f == null ? new MissingConfigFilter() : f.create());
    }
    return out;
  }
}
