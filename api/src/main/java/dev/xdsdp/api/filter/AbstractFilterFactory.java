package dev.xdsdp.api.filter;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.util.Set;

/**
 * Base for factories whose config is one proto message type (Envoy's {@code FactoryBase}): unpacks
 * the {@code Any} and hands the typed message to the subclass.
 *
 * @param <P> the config message
 */
public abstract class AbstractFilterFactory<P extends Message> implements HttpFilterFactory {

  private final String name;
  private final Class<P> configClass;
  private final String typeUrl;

  protected AbstractFilterFactory(String name, Class<P> configClass, P defaultInstance) {
    this.name = name;
    this.configClass = configClass;
    this.typeUrl = "type.googleapis.com/" + defaultInstance.getDescriptorForType().getFullName();
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public Set<String> configTypeUrls() {
    return Set.of(typeUrl);
  }

  @Override
  public final FilterFactory createFilterFactory(Any config, FactoryContext context)
      throws FilterConfigException {
    return createFilterFactory(unpack(config, configClass), context);
  }

  /** Validates {@code config} and builds the factory. */
  protected abstract FilterFactory createFilterFactory(P config, FactoryContext context)
      throws FilterConfigException;

  /** Unpacks {@code config} as {@code type}, with an error naming the expected type. */
  protected static <M extends Message> M unpack(Any config, Class<M> type) throws FilterConfigException {
    try {
      return config.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new FilterConfigException(
          "typed_config of type " + config.getTypeUrl() + " is not a valid " + type.getSimpleName()
              + ": " + e.getMessage(), e);
    }
  }
}
