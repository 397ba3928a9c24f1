package dev.xdsdp.it.support;

import com.google.protobuf.Any;
import dev.xdsdp.api.filter.FilterFactory;
import dev.xdsdp.dataplane.server.Server;
import dev.xdsdp.xds.bootstrap.EnvoyJson;
import dev.xdsdp.xds.resource.ConfigIssues;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.resource.cluster.ClusterConfig;
import dev.xdsdp.xds.resource.cluster.ClusterResourceType;
import dev.xdsdp.xds.resource.endpoint.EndpointResourceType;
import dev.xdsdp.xds.resource.endpoint.LoadAssignmentConfig;
import dev.xdsdp.xds.resource.listener.ListenerConfig;
import dev.xdsdp.xds.resource.listener.ListenerResourceType;
import dev.xdsdp.xds.resource.route.RouteConfigurationResourceType;
import dev.xdsdp.xds.resource.route.RouteTableConfig;
import dev.xdsdp.xds.snapshot.ConfigSnapshot;
import dev.xdsdp.xds.snapshot.ExtensionConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds {@link ConfigSnapshot}s from YAML resources the way the xDS client does (same parsers, same
 * registry), so tests can drive {@link Server#applySnapshot} without a control plane.
 */
public final class Snapshots {

  private final Server server;
  private final Map<String, ListenerConfig> listeners = new LinkedHashMap<>();
  private final Map<String, RouteTableConfig> routes = new LinkedHashMap<>();
  private final Map<String, ClusterConfig> clusters = new LinkedHashMap<>();
  private final Map<String, LoadAssignmentConfig> endpoints = new LinkedHashMap<>();
  private final Map<String, ExtensionConfig> extensions = new LinkedHashMap<>();

  public Snapshots(Server server) {
    this.server = server;
  }

  private ParseContext ctx() {
    return new ParseContext(server.registry(), server.stats(), server.settings().node(), false, new ConfigIssues(),
        Server::normalize);
  }

  public Snapshots listener(String yaml) throws Exception {
    Listener.Builder b = Listener.newBuilder();
    EnvoyJson.parse(yaml, b, "listener.yaml");
    ListenerConfig l = ListenerResourceType.parse(b.build(), ctx());
    listeners.put(l.name(), l);
    return this;
  }

  public Snapshots removeListener(String name) {
    listeners.remove(name);
    return this;
  }

  public Snapshots route(String yaml) throws Exception {
    RouteConfiguration.Builder b = RouteConfiguration.newBuilder();
    EnvoyJson.parse(yaml, b, "route.yaml");
    RouteTableConfig r = RouteConfigurationResourceType.parse(b.build(), ctx());
    routes.put(r.name(), r);
    return this;
  }

  public Snapshots cluster(String yaml) throws Exception {
    Cluster.Builder b = Cluster.newBuilder();
    EnvoyJson.parse(yaml, b, "cluster.yaml");
    ClusterConfig c = ClusterResourceType.parse(b.build(), ctx());
    clusters.put(c.name(), c);
    return this;
  }

  public Snapshots endpoints(String yaml) throws Exception {
    ClusterLoadAssignment.Builder b = ClusterLoadAssignment.newBuilder();
    EnvoyJson.parse(yaml, b, "endpoints.yaml");
    LoadAssignmentConfig la = EndpointResourceType.parse(b.build(), new ConfigIssues());
    endpoints.put(la.clusterName(), la);
    return this;
  }

  /** An ECDS config parsed through the registry, or given as a ready factory. */
  public Snapshots extension(String yaml) throws Exception {
    TypedExtensionConfig.Builder b = TypedExtensionConfig.newBuilder();
    EnvoyJson.parse(yaml, b, "extension.yaml");
    Any any = Server.normalize(b.getTypedConfig());
    var factory = server.registry().httpFilterByTypeUrl(any.getTypeUrl()).orElseThrow()
        .createFilterFactory(any, ctx().factoryContext("", server.stats()));
    extensions.put(b.getName(), new ExtensionConfig(b.getName(), any.getTypeUrl(), factory, any));
    return this;
  }

  public Snapshots extension(String name, String typeUrl, FilterFactory factory) {
    extensions.put(name, new ExtensionConfig(name, typeUrl, factory, Any.getDefaultInstance()));
    return this;
  }

  public ConfigSnapshot build() {
    return new ConfigSnapshot(listeners, Map.of(), routes, clusters, Map.of(), endpoints, extensions, Map.of(), Map.of(),
        true, Instant.now());
  }

  /** Applies the current state and waits for it. */
  public void apply() throws Exception {
    server.applySnapshot(build()).get(30, java.util.concurrent.TimeUnit.SECONDS);
  }
}
