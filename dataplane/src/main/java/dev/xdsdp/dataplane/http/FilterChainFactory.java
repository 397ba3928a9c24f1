package dev.xdsdp.dataplane.http;

import dev.xdsdp.api.filter.FilterFactory;
import dev.xdsdp.api.http.HttpFilter;
import dev.xdsdp.xds.resource.listener.HttpFilterConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Makes the filter instances of one stream from an HTTP connection manager's filter configs. An
 * ECDS-provided filter is looked up per stream in {@code dynamicConfigs}, so a new config applies to
 * new streams only; the stream holds a reference to the config it used until it ends.
 */
public final class FilterChainFactory {

  /** The filters of one stream and the dynamic configs they hold. */
  public record StreamFilters(List<HttpFilter> filters, List<FilterConfigHandle> handles) {
    /** Gives back the stream's references (after the filters are destroyed). */
    public void release() {
      for (FilterConfigHandle h : handles) {
        h.release();
      }
    }
  }

  private final List<HttpFilterConfig> configs;
  private final List<String> names;
  private final Function<String, FilterConfigHandle> dynamicConfigs;

  /**
   * @param dynamicConfigs the current ECDS config by filter name, or null when none has arrived
   */
  public FilterChainFactory(List<HttpFilterConfig> configs, Function<String, FilterConfigHandle> dynamicConfigs) {
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
  public StreamFilters createFilters() {
    List<HttpFilter> out = new ArrayList<>(configs.size());
    List<FilterConfigHandle> held = List.of();
    for (HttpFilterConfig c : configs) {
      FilterFactory f = c.factory();
      if (f == null) {
        FilterConfigHandle handle = null;
        // A config replaced between the lookup and the acquire is already released: look again.
        for (int tries = 0; tries < 3 && handle == null; tries++) {
          FilterConfigHandle candidate = dynamicConfigs.apply(c.name());
          if (candidate == null) {
            break;
          }
          if (candidate.acquire()) {
            handle = candidate;
          }
        }
        if (handle != null) {
          if (held.isEmpty()) {
            held = new ArrayList<>(2);
          }
          held.add(handle);
          f = handle.factory();
        } else if (c.discovery() != null) {
          f = c.discovery().defaultFactory();
        }
      }
      out.add(f == null ? new MissingConfigFilter() : f.create());
    }
    return new StreamFilters(out, held);
  }
}
