package dev.xdsdp.wasm.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.api.stream.ResponseFlag;
import dev.xdsdp.wasm.context.AccessLogEntry;
import dev.xdsdp.wasm.shared.SharedDataStore;
import dev.xdsdp.wasm.testing.PluginHarness;
import dev.xdsdp.wasm.testing.TestStreamInfo;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * An access logger plugin ({@code access_logger.wasm}): {@code proxy_on_log} on its root context
 * reads the finished stream's headers, read-only, and its properties; a TCP entry has no headers.
 */
class AccessLogTest {

  private static String shared(String vmId, String key) {
    SharedDataStore.Value v = PluginHarness.runtime().sharedData().get(vmId, key);
    return v == null ? null : new String(v.data(), StandardCharsets.UTF_8);
  }

  @Test
  void theRootContextLogsHttpAndTcpEntries() {
    try (PluginHarness h = PluginHarness.create("access_logger", b -> b.vmId("logger_unit").pluginConfiguration("tag=unit"))) {
      HeaderMap req = HeaderMap.create();
      req.add(":method", "GET");
      req.add(":path", "/a");
      req.add("x-test", "yes");
      HeaderMap resp = HeaderMap.create();
      resp.add(":status", "201");
      resp.add("x-upstream-name", "echo");
      TestStreamInfo info = new TestStreamInfo();
      info.responseCode = 201;
      info.upstreamCluster = "backend";
      info.upstreamHost = Address.ofIp("10.0.0.9", 9000);
      info.flags.add(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
      var replica = h.replica();
      h.loop.run(() -> replica.log(new AccessLogEntry(req, resp, null, info, null)));
      assertEquals("kind=http method=GET path=/a status=201 test=yes resp=echo cluster=backend upstream=10.0.0.9:9000"
          + " src=ip:port flags=" + ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED.bit() + " tag=unit",
          shared("logger_unit", "last_line"));
      assertEquals("1", shared("logger_unit", "write_refused"), "headers are read-only while logging");
      assertNull(req.get("x-logged"));

      TestStreamInfo tcp = new TestStreamInfo();
      tcp.protocol = null;
      tcp.upstreamCluster = "db";
      h.loop.run(() -> replica.log(new AccessLogEntry(null, null, null, tcp, null)));
      assertEquals("kind=tcp method=- path=- status=- test=- resp=- cluster=db upstream=- src=ip:port flags=0 tag=unit",
          shared("logger_unit", "last_line"));
      assertEquals("2", shared("logger_unit", "lines"));
    }
  }
}
