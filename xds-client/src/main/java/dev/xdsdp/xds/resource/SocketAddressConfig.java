package dev.xdsdp.xds.resource;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;

/**
 * An {@code envoy.config.core.v3.Address} we can use: a TCP socket address (an IP literal or, for
 * DNS clusters, a host name) or a Unix socket path ({@code pipe}).
 *
 * @param host IP literal or DNS name, null for a pipe
 * @param port TCP port, 0 for a pipe
 * @param pipePath Unix socket path, null for TCP
 */
public record SocketAddressConfig(String host, int port, String pipePath) {

  public static SocketAddressConfig parse(Address address, FieldPath path, String resource, boolean allowPortZero)
      throws ResourceInvalidException {
    return switch (address.getAddressCase()) {
      case SOCKET_ADDRESS -> {
        SocketAddress sa = address.getSocketAddress();
        FieldPath sp = path.field("socket_address");
        if (sa.getProtocol() != SocketAddress.Protocol.TCP) {
          throw new ResourceInvalidException(resource, sp.field("protocol").prefix() + "only TCP is supported");
        }
        if (sa.getAddress().isEmpty()) {
          throw new ResourceInvalidException(resource, sp.field("address").prefix() + "must not be empty");
        }
        if (sa.hasNamedPort()) {
          throw new ResourceInvalidException(resource, sp.field("named_port").prefix() + "named ports are not supported");
        }
        if (!sa.getResolverName().isEmpty()) {
          throw new ResourceInvalidException(resource, sp.field("resolver_name").prefix() + "custom resolvers are not supported");
        }
        int port = sa.getPortValue();
        if (port > 65535 || (port == 0 && !allowPortZero)) {
          throw new ResourceInvalidException(resource, sp.field("port_value").prefix() + "invalid port " + port);
        }
        yield new SocketAddressConfig(sa.getAddress(), port, null);
      }
      case PIPE -> {
        if (address.getPipe().getPath().isEmpty()) {
          throw new ResourceInvalidException(resource, path.field("pipe").field("path").prefix() + "must not be empty");
        }
        yield new SocketAddressConfig(null, 0, address.getPipe().getPath());
      }
      case ENVOY_INTERNAL_ADDRESS -> throw new ResourceInvalidException(resource,
          path.field("envoy_internal_address").prefix() + "internal listeners are not supported");
      case ADDRESS_NOT_SET -> throw new ResourceInvalidException(resource, path.prefix() + "an address is required");
    };
  }

  public boolean isPipe() {
    return pipePath != null;
  }

  /** Envoy's stat-friendly form: {@code 0.0.0.0_8080}, as in {@code listener.0.0.0.0_8080.}. */
  public String statName() {
    return isPipe() ? pipePath.replace('.', '_') : host + "_" + port;
  }

  @Override
  public String toString() {
    if (isPipe()) {
      return pipePath;
    }
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
