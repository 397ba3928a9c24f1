package dev.xdsdp.xds.resource.listener;

import dev.xdsdp.api.filter.FilterFactory;
import java.util.List;

/**
 * One entry of an HTTP filter chain.
 *
 * @param factory the parsed filter, or null when the config comes from ECDS ({@code discovery} set)
 * @param discovery the ECDS source, or null for an inline {@code typed_config}
 * @param terminal true for the router (must be last)
 */
public record HttpFilterConfig(String name, String typeUrl, FilterFactory factory, Discovery discovery, boolean terminal) {

  /**
   * {@code config_discovery}: the filter config is the ECDS resource named like the filter.
   *
   * @param defaultFactory the {@code default_config}, or null
   * @param typeUrls the accepted config types
   * @param path the watched file of a {@code path_config_source}, or null when the config comes by ADS
   */
  public record Discovery(FilterFactory defaultFactory, boolean applyDefaultWithoutWarming, List<String> typeUrls,
      String path) {
    public Discovery {
      typeUrls = List.copyOf(typeUrls);
    }
  }
}
