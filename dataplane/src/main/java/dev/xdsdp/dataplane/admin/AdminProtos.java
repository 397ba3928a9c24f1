package dev.xdsdp.dataplane.admin;

import com.google.protobuf.Timestamp;
import dev.xdsdp.api.stream.Address;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Pipe;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/** Conversions shared by the admin handlers. */
final class AdminProtos {

  private AdminProtos() {}

  /** Envoy's {@code Network::Utility::addressToProtobufAddress}. */
  static io.envoyproxy.envoy.config.core.v3.Address address(Address a) {
    if (a.isPipe()) {
      return io.envoyproxy.envoy.config.core.v3.Address.newBuilder()
          .setPipe(Pipe.newBuilder().setPath(a.pipePath()))
          .build();
    }
    return io.envoyproxy.envoy.config.core.v3.Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(a.ip()).setPortValue(a.port()))
        .build();
  }

  /** Envoy's {@code TimestampUtil::systemClockToTimestamp}: millisecond precision. */
  static Timestamp timestamp(Instant t) {
    long millis = t.toEpochMilli();
    return Timestamp.newBuilder()
        .setSeconds(Math.floorDiv(millis, 1000))
        .setNanos((int) Math.floorMod(millis, 1000) * 1_000_000)
        .build();
  }

  /** The names of the bootstrap's static clusters: Envoy's clusters not {@code added_via_api}. */
  static Set<String> staticClusterNames(Bootstrap bootstrap) {
    Set<String> names = new LinkedHashSet<>();
    for (Cluster c : bootstrap.getStaticResources().getClustersList()) {
      names.add(c.getName());
    }
    return names;
  }

  /** The names of the bootstrap's static listeners. */
  static Set<String> staticListenerNames(Bootstrap bootstrap) {
    Set<String> names = new LinkedHashSet<>();
    var listeners = bootstrap.getStaticResources().getListenersList();
    for (int i = 0; i < listeners.size(); i++) {
      Listener l = listeners.get(i);
      // An unnamed static listener runs under the name the resource parser gave it.
      names.add(l.getName().isEmpty() ? "static_resources.listeners[" + i + "]" : l.getName());
    }
    return names;
  }
}
