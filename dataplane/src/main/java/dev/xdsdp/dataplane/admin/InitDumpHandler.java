package dev.xdsdp.dataplane.admin;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.admin.v3.UnreadyTargetsDumps;
import java.util.List;

/**
 * {@code /init_dump}: the init targets still not ready. Nothing warms here yet (a listener is
 * ready once bound), so the dump is empty; warming listeners will need a source of targets here.
 */
final class InitDumpHandler {

  List<AdminEndpoint> endpoints() {
    return List.of(AdminEndpoint.get("/init_dump", "dump current Envoy init manager information (experimental)",
        this::initDump,
        AdminEndpoint.Param.of("mask", "The component whose unready targets to dump, e.g. listener")));
  }

  AdminResponse initDump(AdminRequest request) throws InvalidProtocolBufferException {
    return AdminResponse.json(AdminJson.print(UnreadyTargetsDumps.getDefaultInstance(), false));
  }
}
