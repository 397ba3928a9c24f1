package dev.xdsdp.dataplane.admin;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.List;

/**
 * {@code /runtime}: Envoy's runtime layers and their entries. There is no runtime here, so both
 * are empty; the shape is Envoy's, for tools that read it.
 */
final class RuntimeHandler {

  List<AdminEndpoint> endpoints() {
    return List.of(AdminEndpoint.get("/runtime", "print runtime values", this::runtime));
  }

  AdminResponse runtime(AdminRequest request) throws InvalidProtocolBufferException {
    // Envoy builds a Struct whose keys print sorted: "entries" before "layers".
    Struct runtime = Struct.newBuilder()
        .putFields("entries", Value.newBuilder().setStructValue(Struct.getDefaultInstance()).build())
        .putFields("layers", Value.newBuilder().setListValue(ListValue.getDefaultInstance()).build())
        .build();
    return AdminResponse.json(AdminJson.print(runtime, true));
  }
}
