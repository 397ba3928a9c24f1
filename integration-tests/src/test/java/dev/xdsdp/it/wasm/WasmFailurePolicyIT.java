package dev.xdsdp.it.wasm;

import static dev.xdsdp.it.support.Http.get;
import static dev.xdsdp.it.support.Http.upstreamHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.it.support.AccessLogFile;
import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A module that traps ({@code x-test: trap}) under each failure policy: FAIL_OPEN lets the stream
 * through, FAIL_CLOSED answers 503 with details {@code wasm_fail_stream}, FAIL_RELOAD answers 503
 * and serves again from a rebuilt VM after its backoff.
 */
class WasmFailurePolicyIT {

  static EchoUpstream echo;
  static Dataplane dp;
  static Path dir;
  static Path log;

  @BeforeAll
  static void start() throws Exception {
    echo = EchoUpstream.start("echo");
    dir = Files.createTempDirectory("wasm-policy-it");
    log = dir.resolve("access.log");
    dp = Dataplane.startBootstrap("wasm-failure-policies.yaml", Map.of("ECHO", echo.port(), "MODULE", Modules.file(dir, Modules.HTTP_FILTER), "LOG", log),
        "--file-flush-interval-msec", "20");
  }

  @AfterAll
  static void stop() {
    dp.close();
    echo.close();
  }

  @Test
  void failOpenLetsTheTrappedStreamThrough() throws Exception {
    int before = echo.requests();
    HttpResponse<String> r = get(dp.uri("open", "/trap"), "x-test", "trap");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(before + 1, echo.requests());
    assertTrue(dp.stat("wasm.open.vm_failed") >= 1);
    assertTrue(dp.stat("wasm.open.vm_fail_open") >= 1);
    // Later streams pass too, with or without a VM on their loop.
    for (int i = 0; i < 4; i++) {
      assertEquals(200, get(dp.uri("open", "/after")).statusCode());
    }
  }

  @Test
  void failClosedAnswers503WithWasmFailStream() throws Exception {
    int before = echo.requests();
    HttpResponse<String> r = get(dp.uri("closed", "/trap"), "x-test", "trap");
    assertEquals(503, r.statusCode());
    assertEquals("", r.body());
    assertEquals(before, echo.requests(), "a failed stream never reaches the upstream");
    assertTrue(dp.stat("wasm.closed.vm_fail_closed") >= 1);
    String line = AccessLogFile.line(log, "trap ");
    assertEquals("trap 503 wasm_fail_stream", line);
  }

  @Test
  void failReloadRebuildsTheVmAfterItsBackoff() throws Exception {
    HttpResponse<String> r = get(dp.uri("reload", "/trap"), "x-test", "trap");
    assertEquals(503, r.statusCode());
    // The trapped loop's VM is rebuilt after ~50 ms (jittered), then every loop serves again.
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (dp.stat("wasm.reload.vm_reload_success") < 1 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(dp.stat("wasm.reload.vm_reload_success") >= 1);
    int healthyInARow = 0;
    while (healthyInARow < 6 && System.nanoTime() < deadline) {
      HttpResponse<String> h = get(dp.uri("reload", "/again"));
      if (h.statusCode() == 200 && "reload".equals(upstreamHeader(h, "x-wasm-version"))) {
        healthyInARow++;
      } else {
        healthyInARow = 0;
        Thread.sleep(20);
      }
    }
    assertEquals(6, healthyInARow, "the plugin serves again");
    assertTrue(dp.stat("wasm.reload.vm_failed") >= 1);
  }
}
