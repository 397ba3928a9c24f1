package dev.xdsdp.xds.snapshot;

import com.google.protobuf.Any;
import dev.xdsdp.api.filter.FilterFactory;

/**
 * An ECDS resource ({@code envoy.config.core.v3.TypedExtensionConfig}) parsed into the filter
 * factory it configures.
 *
 * @param name the resource name (the {@code HttpFilter.name} that refers to it)
 * @param typeUrl the type of {@code typed_config}
 * @param factory the parsed filter; the data plane releases it when no snapshot uses it and its
 *     last stream has ended
 * @param source the {@code typed_config} as received, for {@code /config_dump}
 */
public record ExtensionConfig(String name, String typeUrl, FilterFactory factory, Any source) {}
