package dev.xdsdp.xds.resource;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.service.discovery.v3.Resource;

/**
 * One xDS resource type as the client sees it: its type URL, its proto, how to name a resource,
 * whether a state-of-the-world response carries the full set, and how to parse it into the
 * immutable record the data plane uses. Subclasses only name and parse; unwrapping the
 * {@code Any} (and a {@code Resource} wrapper) happens here.
 *
 * @param <T> the parsed record
 */
public abstract class XdsResourceType<T> {

  public static final String RESOURCE_WRAPPER_TYPE_URL = "type.googleapis.com/envoy.service.discovery.v3.Resource";

  private final String typeUrl;
  private final Class<? extends Message> protoClass;
  private final boolean fullStateInSotw;
  private final String shortName;

  protected XdsResourceType(String typeUrl, Class<? extends Message> protoClass, boolean fullStateInSotw,
      String shortName) {
    this.typeUrl = typeUrl;
    this.protoClass = protoClass;
    this.fullStateInSotw = fullStateInSotw;
    this.shortName = shortName;
  }

  public final String typeUrl() {
    return typeUrl;
  }

  /**
   * True for Listener and Cluster: a state-of-the-world response holds every resource, so a name
   * missing from it is deleted. For the others a missing name means nothing.
   */
  public final boolean fullStateInSotw() {
    return fullStateInSotw;
  }

  /** Wildcard subscriptions are allowed for the full-state types only. */
  public final boolean allowsWildcard() {
    return fullStateInSotw;
  }

  /** {@code lds}, {@code rds}, {@code cds}, {@code eds} or {@code ecds}, for logs. */
  public final String shortName() {
    return shortName;
  }

  /**
   * Unpacks one resource of a response. A {@code Resource} wrapper is taken apart (delta always
   * wraps; a state-of-the-world server may wrap too).
   *
   * @throws ResourceInvalidException when the {@code Any} is not of this type or does not decode
   */
  public final Message unpack(Any any) throws ResourceInvalidException {
    if (any.getTypeUrl().equals(RESOURCE_WRAPPER_TYPE_URL)) {
      try {
        any = any.unpack(Resource.class).getResource();
      } catch (InvalidProtocolBufferException e) {
        throw new ResourceInvalidException("(unknown)", "cannot decode Resource wrapper: " + e.getMessage());
      }
    }
    if (!any.getTypeUrl().equals(typeUrl)) {
      throw new ResourceInvalidException("(unknown)", "resource of type " + any.getTypeUrl()
          + " in a response of type " + typeUrl);
    }
    try {
      return any.unpack(protoClass);
    } catch (InvalidProtocolBufferException e) {
      throw new ResourceInvalidException("(unknown)", "cannot decode " + protoClass.getSimpleName() + ": "
          + e.getMessage());
    }
  }

  /** The resource's name as subscriptions use it. */
  public abstract String name(Message proto);

  /**
   * Validates {@code proto} and builds its record.
   *
   * @throws ResourceInvalidException naming the resource and the field
   */
  public abstract T parse(Message proto, ParseContext ctx) throws ResourceInvalidException;

  /**
   * Releases a parsed value that will not be used (it failed a later check). Most records hold
   * nothing to release; filter factories may hold VMs.
   */
  public void discard(T value) {}

  @Override
  public String toString() {
    return typeUrl;
  }
}
