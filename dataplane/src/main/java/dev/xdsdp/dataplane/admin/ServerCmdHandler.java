package dev.xdsdp.dataplane.admin;

import java.util.List;

/** {@code /quitquitquit}, {@code /healthcheck/fail} and {@code /healthcheck/ok}. */
final class ServerCmdHandler {

  private final AdminContext context;

  ServerCmdHandler(AdminContext context) {
    this.context = context;
  }

  List<AdminEndpoint> endpoints() {
    return List.of(
        AdminEndpoint.post("/quitquitquit", "exit the server",
            r -> AdminResponse.ok("OK\n").thenRun(context::shutdown)),
        AdminEndpoint.post("/healthcheck/fail", "cause the server to fail health checks", r -> {
          context.setHealthCheckFailed(true);
          return AdminResponse.ok("OK\n");
        }),
        AdminEndpoint.post("/healthcheck/ok", "cause the server to pass health checks", r -> {
          context.setHealthCheckFailed(false);
          return AdminResponse.ok("OK\n");
        }));
  }
}
