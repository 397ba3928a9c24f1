package dev.xdsdp.dataplane.admin;

import io.envoyproxy.envoy.admin.v3.ServerInfo;
import java.util.List;

/** {@code /ready}: the server state's name, with 200 when LIVE and 503 otherwise. */
final class ReadyHandler {

  private final AdminContext context;

  ReadyHandler(AdminContext context) {
    this.context = context;
  }

  List<AdminEndpoint> endpoints() {
    return List.of(AdminEndpoint.get("/ready", "print server state, return 200 if LIVE, otherwise return 503",
        this::ready));
  }

  AdminResponse ready(AdminRequest request) {
    ServerInfo.State state = context.serverState();
    return AdminResponse.text(state == ServerInfo.State.LIVE ? 200 : 503, state.name() + "\n");
  }
}
