package dev.xdsdp.it.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.it.support.Http;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command for real: {@code deploy/bin/dataplane -c deploy/examples/static.yaml} as
 * a separate process on the built distribution (ports moved to free ones), then curl-like requests.
 */
class LauncherIT {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @TempDir
  Path tmp;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void exampleConfigServesThroughTheLauncher() throws Exception {
    int listener = freePort();
    int admin = freePort();
    String yaml = Files.readString(ROOT.resolve("deploy/examples/static.yaml"))
        .replace("port_value: 10000", "port_value: " + listener)
        .replace("port_value: 9901", "port_value: " + admin);
    Path config = tmp.resolve("static.yaml");
    Files.writeString(config, yaml);
    Path log = tmp.resolve("dataplane.log");
    ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("deploy/bin/dataplane").toString(), "-c", config.toString(),
        "--concurrency", "2", "--file-flush-interval-msec", "100")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("XDSDP_LIB", ROOT.resolve("deploy/target/dataplane/lib").toString());
    Process p = pb.start();
    try {
      HttpResponse<String> hello = awaitUp(URI.create("http://127.0.0.1:" + listener + "/hello"), p, log);
      assertEquals(200, hello.statusCode());
      assertEquals("hello from the data plane\n", hello.body());
      assertEquals("xdsdp", hello.headers().firstValue("x-served-by").orElse(null));
      // The stdout access log shows the request in Envoy's default format.
      String text = "";
      for (int i = 0; i < 50 && !text.contains("\"GET /hello HTTP/1.1\" 200"); i++) {
        Thread.sleep(100);
        text = Files.readString(log, StandardCharsets.UTF_8);
      }
      assertTrue(text.contains("\"GET /hello HTTP/1.1\" 200 - 0 26 "), text);
      // The second route proxies to the admin server, whose server_info says the server is live.
      HttpResponse<String> info = Http.get(URI.create("http://127.0.0.1:" + listener + "/admin/server_info"));
      assertEquals(200, info.statusCode(), info.body());
      assertTrue(info.body().contains("\"state\": \"LIVE\""), info.body());
      // /quitquitquit ends the process cleanly.
      HttpResponse<String> quit = Http.send(java.net.http.HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + admin + "/quitquitquit")).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
      assertEquals(200, quit.statusCode());
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the data plane did not exit after /quitquitquit");
      assertEquals(0, p.exitValue(), Files.readString(log));
    } finally {
      p.destroy();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the data plane did not stop on SIGTERM");
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(out.contains("listener 'ingress' listening"), out);
  }

  /** README's Wasm walk-through: a new filter version rolls out by ECDS with no restart. */
  @Test
  void wasmFilterRollsOutWithoutRestart() throws Exception {
    int listener = freePort();
    int admin = freePort();
    Path filterConfig = tmp.resolve("greeting.yaml");
    Path examples = ROOT.resolve("deploy/examples/wasm-ecds");
    // The example names paths relative to the repository root; the test runs from elsewhere.
    java.util.function.UnaryOperator<String> absolute = t -> t.replace("deploy/examples/", ROOT.resolve("deploy/examples") + "/");
    Files.writeString(filterConfig, absolute.apply(Files.readString(examples.resolve("greeting-v1.yaml"))));
    String yaml = Files.readString(examples.resolve("envoy.yaml"))
        .replace("port_value: 10000", "port_value: " + listener)
        .replace("port_value: 9901", "port_value: " + admin)
        .replace("/tmp/xdsdp-greeting.yaml", filterConfig.toString());
    Path config = tmp.resolve("envoy.yaml");
    Files.writeString(config, yaml);
    Path log = tmp.resolve("wasm.log");
    ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("deploy/bin/dataplane").toString(), "-c", config.toString(),
        "--concurrency", "2").redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("XDSDP_LIB", ROOT.resolve("deploy/target/dataplane/lib").toString());
    Process p = pb.start();
    try {
      HttpResponse<String> first = awaitUp(URI.create("http://127.0.0.1:" + listener + "/"), p, log);
      assertEquals("hello from version 1", first.headers().firstValue("x-wasm-greeting").orElse(null), Files.readString(log));
      // The launcher's JVMCI flags give GraalWasm its optimizing runtime: the runtime's gauge for
      // running interpreted (about 50 times slower) reads 0 in the launched process.
      String jit = Http.get(URI.create("http://127.0.0.1:" + admin + "/stats?filter=interpreter_only")).body();
      assertTrue(jit.contains("wasm.graalwasm.interpreter_only: 0\n"), jit + Files.readString(log));
      long pid = p.pid();
      Files.writeString(filterConfig, absolute.apply(Files.readString(examples.resolve("greeting-v2.yaml"))));
      String greeting = null;
      for (int i = 0; i < 200 && !"hello from version 2".equals(greeting); i++) {
        Thread.sleep(50);
        greeting = Http.get(URI.create("http://127.0.0.1:" + listener + "/")).headers().firstValue("x-wasm-greeting").orElse(null);
      }
      assertEquals("hello from version 2", greeting, Files.readString(log));
      assertEquals(pid, p.pid());
      assertTrue(p.isAlive(), "no restart");
      String stats = Http.get(URI.create("http://127.0.0.1:" + admin + "/stats?filter=greeting")).body();
      assertTrue(stats.contains("extension_config_discovery.http_filter.greeting.config_reload: 2"), stats);
    } finally {
      p.destroy();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    }
  }

  @Test
  void validateModeAndBadFlags() throws Exception {
    ProcessBuilder ok = new ProcessBuilder(ROOT.resolve("deploy/bin/dataplane").toString(), "--mode", "validate",
        "-c", ROOT.resolve("deploy/examples/static.yaml").toString()).redirectErrorStream(true);
    ok.environment().put("XDSDP_LIB", ROOT.resolve("deploy/target/dataplane/lib").toString());
    Process p = ok.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains("configuration '" + ROOT.resolve("deploy/examples/static.yaml") + "' OK"), out);

    ProcessBuilder bad = new ProcessBuilder(ROOT.resolve("deploy/bin/dataplane").toString(), "--no-such-flag")
        .redirectErrorStream(true);
    bad.environment().put("XDSDP_LIB", ROOT.resolve("deploy/target/dataplane/lib").toString());
    Process q = bad.start();
    String err = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(1, q.waitFor(), err);
    assertTrue(err.contains("--no-such-flag"), err);
  }

  static HttpResponse<String> awaitUp(URI uri, Process p, Path log) throws Exception {
    Exception last = null;
    for (int i = 0; i < 300; i++) {
      if (!p.isAlive()) {
        throw new AssertionError("the data plane exited: " + Files.readString(log));
      }
      try {
        return Http.get(uri);
      } catch (IOException e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw new AssertionError("not serving after 30 s: " + Files.readString(log), last);
  }
}
