package dev.xdsdp.xds.testing;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import dev.xdsdp.xds.bootstrap.BootstrapException;
import dev.xdsdp.xds.bootstrap.XdsBootstrapInfo;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.ExtensionConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.Pipe;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.common.mutation_rules.v3.HeaderMutation;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.Mutations;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.util.ArrayList;
import java.util.List;

/** Builders of the Envoy resources xDS tests serve, kept small and explicit. */
public final class XdsTestResources {

  private XdsTestResources() {}

  /** {@code {ads: {}, resource_api_version: V3, initial_fetch_timeout: <seconds>}}; negative leaves it unset (15 s). */
  public static ConfigSource ads(long initialFetchTimeoutMillis) {
    ConfigSource.Builder b = ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3);
    if (initialFetchTimeoutMillis >= 0) {
      b.setInitialFetchTimeout(Duration.newBuilder()
          .setSeconds(initialFetchTimeoutMillis / 1000).setNanos((int) (initialFetchTimeoutMillis % 1000) * 1_000_000));
    }
    return b.build();
  }

  /** A bootstrap with ADS at the control plane, LDS and CDS over ADS, and the {@code xds-grpc} static cluster. */
  public static Bootstrap bootstrap(TestControlPlane cp, boolean delta, long initialFetchTimeoutMillis) {
    Address address = cp.unixPath() != null
        ? Address.newBuilder().setPipe(Pipe.newBuilder().setPath(cp.unixPath().toString())).build()
        : Address.newBuilder().setSocketAddress(SocketAddress.newBuilder()
            .setAddress("127.0.0.1").setPortValue(cp.port())).build();
    Cluster xdsCluster = Cluster.newBuilder()
        .setName("xds-grpc")
        .setType(Cluster.DiscoveryType.STATIC)
        .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName("xds-grpc")
            .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder()
                .setEndpoint(Endpoint.newBuilder().setAddress(address)))))
        .build();
    var dr = io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap.DynamicResources.newBuilder()
        .setLdsConfig(ads(initialFetchTimeoutMillis))
        .setCdsConfig(ads(initialFetchTimeoutMillis))
        .setAdsConfig(ApiConfigSource.newBuilder()
            .setApiType(delta ? ApiConfigSource.ApiType.DELTA_GRPC : ApiConfigSource.ApiType.GRPC)
            .setTransportApiVersion(ApiVersion.V3)
            .setSetNodeOnFirstMessageOnly(true)
            .addGrpcServices(GrpcService.newBuilder()
                .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName("xds-grpc"))));
    return Bootstrap.newBuilder()
        .setDynamicResources(dr)
        .setStaticResources(Bootstrap.StaticResources.newBuilder().addClusters(xdsCluster))
        .build();
  }

  public static XdsBootstrapInfo info(TestControlPlane cp, boolean delta, long initialFetchTimeoutMillis) {
    try {
      return XdsBootstrapInfo.from(bootstrap(cp, delta, initialFetchTimeoutMillis)).orElseThrow();
    } catch (BootstrapException e) {
      throw new AssertionError(e);
    }
  }

  public static HttpFilter routerFilter() {
    return HttpFilter.newBuilder().setName("envoy.filters.http.router")
        .setTypedConfig(Any.pack(Router.getDefaultInstance())).build();
  }

  /** An HTTP filter whose config comes from ECDS under {@code name}. */
  public static HttpFilter discoveredFilter(String name, long initialFetchTimeoutMillis, String... typeUrls) {
    return HttpFilter.newBuilder().setName(name)
        .setConfigDiscovery(ExtensionConfigSource.newBuilder()
            .setConfigSource(ads(initialFetchTimeoutMillis))
            .addAllTypeUrls(List.of(typeUrls)))
        .build();
  }

  /** A listener on 127.0.0.1:{@code port} whose HCM takes routes from RDS {@code routeName}. */
  public static Listener rdsListener(String name, int port, String routeName, long rdsTimeoutMillis,
      HttpFilter... filters) {
    HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix(name)
        .setRds(Rds.newBuilder().setRouteConfigName(routeName).setConfigSource(ads(rdsTimeoutMillis)));
    return listener(name, port, hcm, filters);
  }

  /** A listener with an inline route to {@code cluster}. */
  public static Listener inlineListener(String name, int port, String cluster, HttpFilter... filters) {
    HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix(name)
        .setRouteConfig(route("inline", cluster));
    return listener(name, port, hcm, filters);
  }

  private static Listener listener(String name, int port, HttpConnectionManager.Builder hcm, HttpFilter... filters) {
    List<HttpFilter> all = new ArrayList<>(List.of(filters));
    all.add(routerFilter());
    hcm.addAllHttpFilters(all);
    return Listener.newBuilder()
        .setName(name)
        .setAddress(Address.newBuilder().setSocketAddress(
            SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(port)))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager")
            .setTypedConfig(Any.pack(hcm.build()))))
        .build();
  }

  /** A route configuration sending everything to {@code cluster}. */
  public static RouteConfiguration route(String name, String cluster) {
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addVirtualHosts(VirtualHost.newBuilder().setName("all").addDomains("*")
            .addRoutes(Route.newBuilder()
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(RouteAction.newBuilder().setCluster(cluster))))
        .build();
  }

  /** An EDS cluster over ADS. */
  public static Cluster edsCluster(String name, long edsTimeoutMillis) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setConnectTimeout(Duration.newBuilder().setSeconds(1))
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads(edsTimeoutMillis)))
        .build();
  }

  /** A STATIC cluster with one endpoint at 127.0.0.1:{@code port}. */
  public static Cluster staticCluster(String name, int port) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(Duration.newBuilder().setSeconds(1))
        .setLoadAssignment(endpoints(name, port))
        .build();
  }

  /** Endpoints 127.0.0.1:{@code ports}. */
  public static ClusterLoadAssignment endpoints(String clusterName, int... ports) {
    LocalityLbEndpoints.Builder l = LocalityLbEndpoints.newBuilder();
    for (int port : ports) {
      l.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(
          Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(port)))));
    }
    return ClusterLoadAssignment.newBuilder().setClusterName(clusterName).addEndpoints(l).build();
  }

  /** An ECDS resource for the header-adding test filter. */
  public static TypedExtensionConfig addHeader(String name, String header, String value) {
    var mutation = io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation.newBuilder()
        .setMutations(Mutations.newBuilder().addRequestMutations(HeaderMutation.newBuilder()
            .setAppend(HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey(header).setValue(value)))))
        .build();
    return TypedExtensionConfig.newBuilder().setName(name).setTypedConfig(Any.pack(mutation)).build();
  }

  /** An ECDS resource of the router type (a type that a header filter's {@code type_urls} does not list). */
  public static TypedExtensionConfig routerConfig(String name) {
    return TypedExtensionConfig.newBuilder().setName(name).setTypedConfig(Any.pack(Router.getDefaultInstance())).build();
  }

  public static UInt32Value u32(int v) {
    return UInt32Value.of(v);
  }
}
