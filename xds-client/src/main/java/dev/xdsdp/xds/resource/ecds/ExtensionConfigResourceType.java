package dev.xdsdp.xds.resource.ecds;

import com.google.protobuf.Any;
import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.api.filter.FilterFactory;
import dev.xdsdp.api.filter.HttpFilterFactory;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import dev.xdsdp.xds.snapshot.ExtensionConfig;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import java.util.List;

/**
 * Parses an ECDS resource ({@code envoy.config.core.v3.TypedExtensionConfig}) into the HTTP filter
 * factory it configures. Whether its type fits the filters that name it ({@code type_urls}) is
 * checked by whoever knows those filters, with {@link #checkTypeUrl}.
 */
public final class ExtensionConfigResourceType {

  public static final String TYPE_URL = "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig";

  private ExtensionConfigResourceType() {}

  public static ExtensionConfig parse(TypedExtensionConfig proto, ParseContext ctx) throws ResourceInvalidException {
    String name = proto.getName();
    if (name.isEmpty()) {
      throw new ResourceInvalidException("(unnamed extension config)", "name: must not be empty");
    }
    if (!proto.hasTypedConfig()) {
      throw new ResourceInvalidException(name, "typed_config: is required");
    }
    Any any = ctx.normalize(proto.getTypedConfig());
    HttpFilterFactory factory = ctx.registry().httpFilterByTypeUrl(any.getTypeUrl()).orElse(null);
    if (factory == null) {
      throw new ResourceInvalidException(name, "typed_config: Didn't find a registered implementation for type: '"
          + shortType(any.getTypeUrl()) + "'");
    }
    try {
      FilterFactory ff = factory.createFilterFactory(any, ctx.factoryContext("", ctx.statsRoot()));
      return new ExtensionConfig(name, any.getTypeUrl(), ff, proto.getTypedConfig());
    } catch (FilterConfigException e) {
      throw new ResourceInvalidException(name, "typed_config: " + e.getMessage(), e);
    }
  }

  /**
   * Envoy's check that a discovered config has one of the filter's {@code type_urls}.
   *
   * @throws ResourceInvalidException with Envoy's wording when it does not
   */
  public static void checkTypeUrl(ExtensionConfig config, List<String> typeUrls) throws ResourceInvalidException {
    if (!typeUrls.contains(config.typeUrl())) {
      throw new ResourceInvalidException(config.name(), "Error: filter config has type URL "
          + shortType(config.typeUrl()) + " but expect " + String.join(", ", typeUrls) + ".");
    }
  }

  private static String shortType(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
  }
}
