package dev.xdsdp.it.wasm;

import static dev.xdsdp.it.support.Http.get;
import static dev.xdsdp.it.support.Http.upstreamHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.it.support.Await;
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
 * The Wasm extension points together, with {@code http_filter.wasm} in every role
 * ({@code wasm-kinds.yaml}, {@code --concurrency 2}): an HTTP filter and an access logger with the
 * same vm_id share one VM per worker loop as in Envoy; an access logger and a Wasm service follow
 * their failure policy (FAIL_RELOAD rebuilds them) and report it in the same per-plugin stats as
 * HTTP filters.
 */
class WasmExtensionKindsIT {

  static EchoUpstream echo;
  static Dataplane dp;

  @BeforeAll
  static void start() throws Exception {
    echo = EchoUpstream.start("echo");
    Path dir = Files.createTempDirectory("wasm-kinds");
    dp = Dataplane.startBootstrap("wasm-kinds.yaml", Map.of("ECHO", echo.port(), "MODULE", Modules.file(dir, Modules.HTTP_FILTER)));
  }

  @AfterAll
  static void stop() {
    dp.close();
    echo.close();
  }

  @Test
  void anHttpFilterAndAnAccessLoggerWithTheSameVmIdShareOneVmPerLoop() throws Exception {
    long logged = dp.sharedNumber("shared", "logged");
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = get(dp.uri("kinds", "/shared/" + i));
      assertEquals(200, r.statusCode());
      assertEquals("kinds", upstreamHeader(r, "x-wasm-version"), "the filter ran");
    }
    Await.until(() -> dp.sharedNumber("shared", "logged") >= logged + 6, "the logger's six entries");
    assertTrue(dp.sharedNumber("shared", "logger_saw_streams") > 0,
        "the logger read the filter's module memory: the two plugins are in one VM");
    // Two worker loops times three VM keys (service, shared, reloading_logger): a logger with a VM
    // of its own would make it eight. (Once any rebuild after a trap in the other tests is done.)
    Await.until(() -> dp.stat("wasm.envoy.wasm.runtime.v8.active") == 6, "six live VMs, the shared one counted once per loop");
    assertTrue(dp.stat("wasm.shared_logger.vm_calls") >= 6, "the logger's calls are counted as a filter's are");
    assertTrue(dp.stat("wasm.shared_filter.vm_calls") >= 6);
  }

  @Test
  void anAccessLoggerThatTrapsIsRebuiltUnderFailReloadAndTheResponseIsUntouched() throws Exception {
    long failed = dp.stat("wasm.reloading_logger.vm_failed");
    long reloaded = dp.stat("wasm.reloading_logger.vm_reload_success");
    HttpResponse<String> r = get(dp.uri("kinds", "/trap"), "x-test", "trap_log");
    assertEquals(200, r.statusCode(), "logging runs after the response: the trap cannot change it");
    Await.until(() -> dp.stat("wasm.reloading_logger.vm_failed") == failed + 1, "the logger's VM to fail");
    Await.until(() -> dp.stat("wasm.reloading_logger.vm_reload_success") == reloaded + 1, "the rebuild");
    // Both loops log again: enough requests that each loop serves some.
    long logged = dp.sharedNumber("reloading_logger", "logged");
    for (int i = 0; i < 8; i++) {
      assertEquals(200, get(dp.uri("kinds", "/after/" + i)).statusCode());
    }
    Await.until(() -> dp.sharedNumber("reloading_logger", "logged") == logged + 8, "every later entry to be logged");
    assertEquals(failed + 1, dp.stat("wasm.reloading_logger.vm_failed"));
  }

  @Test
  void aServiceWhoseTickTrapsIsRebuiltAndTicksAgain() throws Exception {
    Await.until(() -> dp.stat("wasm.ticking_service.vm_failed") >= 1, "the service's first tick to trap");
    Await.until(() -> dp.stat("wasm.ticking_service.vm_reload_success") >= 1, "the service's VM to be rebuilt");
    // The module traps on the first tick of the process only (a shared flag set by compare-and-swap).
    long ticks = dp.sharedNumber("service", "ticks");
    Await.until(() -> dp.sharedNumber("service", "ticks") >= ticks + 20, "ticks after the rebuild");
    assertEquals(1, dp.sharedNumber("service", "tick_trapped"), "one tick trapped");
    assertEquals(1, dp.stat("wasm.ticking_service.vm_failed"), "it trapped once and runs since");
    assertTrue(dp.stat("wasm.ticking_service.vm_cpu_time_us") > 0);
  }
}
