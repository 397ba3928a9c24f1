package dev.xdsdp.dataplane.admin;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.dataplane.listener.ActiveListener;
import dev.xdsdp.xds.resource.SocketAddressConfig;
import io.envoyproxy.envoy.admin.v3.Listeners;
import java.util.List;

/**
 * {@code /listeners} (each listener's name and the address it is bound to, with the actual port
 * for port 0) and {@code /drain_listeners}.
 */
final class ListenersHandler {

  private final AdminContext context;

  ListenersHandler(AdminContext context) {
    this.context = context;
  }

  List<AdminEndpoint> endpoints() {
    return List.of(
        AdminEndpoint.get("/listeners", "print listener info", this::listeners,
            AdminEndpoint.Param.oneOf("format", "The output format", "text", "json")),
        AdminEndpoint.post("/drain_listeners", "drain listeners", this::drain,
            AdminEndpoint.Param.of("graceful", "Keep accepting connections for the drain time"
                + " (--drain-time-s, --drain-strategy) before the listeners stop"),
            AdminEndpoint.Param.of("skip_exit", "Drain the connections but do not stop the listeners"),
            AdminEndpoint.Param.of("inboundonly", "Only drain listeners whose traffic_direction is INBOUND")));
  }

  AdminResponse listeners(AdminRequest request) throws InvalidProtocolBufferException {
    List<ActiveListener> listeners = context.listeners();
    if (request.nonEmpty("format").filter("json"::equals).isPresent()) {
      Listeners.Builder out = Listeners.newBuilder();
      for (ActiveListener l : listeners) {
        out.addListenerStatusesBuilder()
            .setName(l.name())
            .setLocalAddress(AdminProtos.address(boundAddress(l)));
      }
      return AdminResponse.json(AdminJson.print(out.build(), false));
    }
    StringBuilder text = new StringBuilder();
    for (ActiveListener l : listeners) {
      text.append(l.name()).append("::").append(boundAddress(l)).append('\n');
    }
    return AdminResponse.ok(text.toString());
  }

  AdminResponse drain(AdminRequest request) {
    context.drainListeners(request.has("inboundonly"), request.has("graceful"), request.has("skip_exit"));
    return AdminResponse.ok("OK\n");
  }

  /** The configured address with the port actually bound. */
  static Address boundAddress(ActiveListener l) {
    SocketAddressConfig a = l.config().address();
    return a.isPipe() ? Address.ofPipe(a.pipePath()) : Address.ofIp(a.host(), l.port());
  }
}
