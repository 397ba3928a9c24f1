package dev.xdsdp.api.registry;

import dev.xdsdp.api.accesslog.AccessLoggerFactory;
import dev.xdsdp.api.filter.HttpFilterFactory;
import dev.xdsdp.api.network.NetworkFilterConfigFactory;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps extension config type URLs (and Envoy extension names) to their factories. Immutable once
 * built; passed by constructor to whatever parses configs. Lookups go by type URL first, as Envoy
 * does, then by name.
 */
public final class ExtensionRegistry {

  private final Map<String, HttpFilterFactory> httpFiltersByType;
  private final Map<String, HttpFilterFactory> httpFiltersByName;
  private final Map<String, AccessLoggerFactory> accessLoggersByType;
  private final Map<String, AccessLoggerFactory> accessLoggersByName;
  private final Map<String, NetworkFilterConfigFactory> networkFiltersByType;
  private final Map<String, NetworkFilterConfigFactory> networkFiltersByName;

  private ExtensionRegistry(Builder builder) {
    this.httpFiltersByType = Map.copyOf(builder.httpFiltersByType);
    this.httpFiltersByName = Map.copyOf(builder.httpFiltersByName);
    this.accessLoggersByType = Map.copyOf(builder.accessLoggersByType);
    this.accessLoggersByName = Map.copyOf(builder.accessLoggersByName);
    this.networkFiltersByType = Map.copyOf(builder.networkFiltersByType);
    this.networkFiltersByName = Map.copyOf(builder.networkFiltersByName);
  }

  /** The network filter factory for a config type URL. */
  public Optional<NetworkFilterConfigFactory> networkFilterByTypeUrl(String typeUrl) {
    return Optional.ofNullable(networkFiltersByType.get(typeUrl));
  }

  /** The network filter factory registered under an Envoy extension name. */
  public Optional<NetworkFilterConfigFactory> networkFilterByName(String name) {
    return Optional.ofNullable(networkFiltersByName.get(name));
  }

  /** The names of the registered network filters, sorted. */
  public List<String> networkFilterNames() {
    return List.copyOf(new java.util.TreeSet<>(networkFiltersByName.keySet()));
  }

  /** The access logger factory for a {@code typed_config} type URL. */
  public Optional<AccessLoggerFactory> accessLoggerByTypeUrl(String typeUrl) {
    return Optional.ofNullable(accessLoggersByType.get(typeUrl));
  }

  /** The access logger factory registered under an Envoy extension name. */
  public Optional<AccessLoggerFactory> accessLoggerByName(String name) {
    return Optional.ofNullable(accessLoggersByName.get(name));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The HTTP filter factory for a config type URL ({@code type.googleapis.com/...}). */
  public Optional<HttpFilterFactory> httpFilterByTypeUrl(String typeUrl) {
    return Optional.ofNullable(httpFiltersByType.get(typeUrl));
  }

  /** The HTTP filter factory registered under an Envoy extension name. */
  public Optional<HttpFilterFactory> httpFilterByName(String name) {
    return Optional.ofNullable(httpFiltersByName.get(name));
  }

  public Collection<HttpFilterFactory> httpFilters() {
    return List.copyOf(new java.util.LinkedHashSet<>(httpFiltersByName.values()));
  }

  /** Collects factories; a second factory for the same type URL or name is an error. */
  public static final class Builder {
    private final Map<String, HttpFilterFactory> httpFiltersByType = new LinkedHashMap<>();
    private final Map<String, HttpFilterFactory> httpFiltersByName = new LinkedHashMap<>();
    private final Map<String, AccessLoggerFactory> accessLoggersByType = new LinkedHashMap<>();
    private final Map<String, AccessLoggerFactory> accessLoggersByName = new LinkedHashMap<>();
    private final Map<String, NetworkFilterConfigFactory> networkFiltersByType = new LinkedHashMap<>();
    private final Map<String, NetworkFilterConfigFactory> networkFiltersByName = new LinkedHashMap<>();

    private Builder() {}

    public Builder register(NetworkFilterConfigFactory factory) {
      for (String typeUrl : factory.configTypeUrls()) {
        if (networkFiltersByType.putIfAbsent(typeUrl, factory) != null) {
          throw new IllegalStateException("two network filter factories for " + typeUrl);
        }
      }
      if (networkFiltersByName.putIfAbsent(factory.name(), factory) != null) {
        throw new IllegalStateException("two network filter factories named " + factory.name());
      }
      return this;
    }

    public Builder register(AccessLoggerFactory factory) {
      for (String typeUrl : factory.configTypeUrls()) {
        if (accessLoggersByType.putIfAbsent(typeUrl, factory) != null) {
          throw new IllegalStateException("two access logger factories for " + typeUrl);
        }
      }
      if (accessLoggersByName.putIfAbsent(factory.name(), factory) != null) {
        throw new IllegalStateException("two access logger factories named " + factory.name());
      }
      return this;
    }

    public Builder register(HttpFilterFactory factory) {
      for (String typeUrl : factory.configTypeUrls()) {
        if (httpFiltersByType.putIfAbsent(typeUrl, factory) != null) {
          throw new IllegalStateException("two HTTP filter factories for " + typeUrl);
        }
      }
      if (httpFiltersByName.putIfAbsent(factory.name(), factory) != null) {
        throw new IllegalStateException("two HTTP filter factories named " + factory.name());
      }
      return this;
    }

    public ExtensionRegistry build() {
      return new ExtensionRegistry(this);
    }
  }
}
