package dev.xdsdp.xds.resource;

import dev.xdsdp.xds.resource.cluster.ClusterConfig;
import dev.xdsdp.xds.resource.cluster.ClusterResourceType;
import dev.xdsdp.xds.resource.ecds.ExtensionConfigResourceType;
import dev.xdsdp.xds.resource.endpoint.EndpointResourceType;
import dev.xdsdp.xds.resource.endpoint.LoadAssignmentConfig;
import dev.xdsdp.xds.resource.listener.ListenerConfig;
import dev.xdsdp.xds.resource.listener.ListenerResourceType;
import dev.xdsdp.xds.resource.route.RouteConfigurationResourceType;
import dev.xdsdp.xds.resource.route.RouteTableConfig;
import dev.xdsdp.xds.snapshot.ExtensionConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import com.google.protobuf.Message;
import java.util.List;

/**
 * The resource types the client speaks, as {@link XdsResourceType}s over the existing parsers.
 * {@link #IN_ORDER} is Envoy's make-before-break order (clusters and endpoints before listeners
 * and routes), used when a new stream resends its subscriptions.
 */
public final class XdsResourceTypes {

  public static final XdsResourceType<ListenerConfig> LISTENER =
      new XdsResourceType<>(ListenerResourceType.TYPE_URL, Listener.class, true, "lds") {
        @Override
        public String name(Message proto) {
          return ((Listener) proto).getName();
        }

        @Override
        public ListenerConfig parse(Message proto, dev.xdsdp.xds.resource.ParseContext ctx)
            throws ResourceInvalidException {
          Listener l = (Listener) proto;
          if (l.getName().isEmpty()) {
            throw new ResourceInvalidException("(unnamed listener)", "name: a dynamic listener needs a name");
          }
          return ListenerResourceType.parse(l, ctx);
        }
      };

  public static final XdsResourceType<RouteTableConfig> ROUTE =
      new XdsResourceType<>(RouteConfigurationResourceType.TYPE_URL, RouteConfiguration.class, false, "rds") {
        @Override
        public String name(Message proto) {
          return ((RouteConfiguration) proto).getName();
        }

        @Override
        public RouteTableConfig parse(Message proto, ParseContext ctx) throws ResourceInvalidException {
          return RouteConfigurationResourceType.parse((RouteConfiguration) proto, ctx);
        }
      };

  public static final XdsResourceType<ClusterConfig> CLUSTER =
      new XdsResourceType<>(ClusterResourceType.TYPE_URL, Cluster.class, true, "cds") {
        @Override
        public String name(Message proto) {
          return ((Cluster) proto).getName();
        }

        @Override
        public ClusterConfig parse(Message proto, ParseContext ctx) throws ResourceInvalidException {
          return ClusterResourceType.parse((Cluster) proto, ctx);
        }
      };

  public static final XdsResourceType<LoadAssignmentConfig> ENDPOINT =
      new XdsResourceType<>(EndpointResourceType.TYPE_URL, ClusterLoadAssignment.class, false, "eds") {
        @Override
        public String name(Message proto) {
          return ((ClusterLoadAssignment) proto).getClusterName();
        }

        @Override
        public LoadAssignmentConfig parse(Message proto, ParseContext ctx) throws ResourceInvalidException {
          return EndpointResourceType.parse((ClusterLoadAssignment) proto, ctx.issues());
        }
      };

  public static final XdsResourceType<ExtensionConfig> EXTENSION_CONFIG =
      new XdsResourceType<>(ExtensionConfigResourceType.TYPE_URL, TypedExtensionConfig.class, false, "ecds") {
        @Override
        public String name(Message proto) {
          return ((TypedExtensionConfig) proto).getName();
        }

        @Override
        public ExtensionConfig parse(Message proto, ParseContext ctx) throws ResourceInvalidException {
          return ExtensionConfigResourceType.parse((TypedExtensionConfig) proto, ctx);
        }

        @Override
        public void discard(ExtensionConfig value) {
          value.factory().release();
        }
      };

  /** Clusters, endpoints, listeners, routes, extension configs. */
  public static final List<XdsResourceType<?>> IN_ORDER = List.of(CLUSTER, ENDPOINT, LISTENER, ROUTE, EXTENSION_CONFIG);

  private XdsResourceTypes() {}

  /** The type for a type URL, or null. */
  public static XdsResourceType<?> byTypeUrl(String typeUrl) {
    for (XdsResourceType<?> t : IN_ORDER) {
      if (t.typeUrl().equals(typeUrl)) {
        return t;
      }
    }
    return null;
  }
}
