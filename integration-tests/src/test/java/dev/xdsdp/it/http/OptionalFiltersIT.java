package dev.xdsdp.it.http;

import static dev.xdsdp.it.support.Http.echo;
import static dev.xdsdp.it.support.Http.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Serving with an HTTP filter of a type this data plane lacks: skipped if optional, fatal if not. */
class OptionalFiltersIT {

  static EchoUpstream upstream;
  static String yaml;

  @BeforeAll
  static void start() throws Exception {
    upstream = EchoUpstream.start("echo");
    yaml = Files.readString(Path.of("src/test/resources/bootstrap/optional-filter.yaml"));
  }

  @AfterAll
  static void stop() {
    upstream.close();
  }

  @Test
  void unknownOptionalFilterIsSkippedAndTrafficFlows() throws Exception {
    try (Dataplane dp = Dataplane.start(yaml, Map.of("OPTIONAL", true, "ECHO", upstream.port()))) {
      HttpResponse<String> r = get(dp.uri("main", "/through"));
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("/through", echo(r).getString("path"));
      // Counted as the stream completes, just after the response's last byte is written.
      dev.xdsdp.it.support.Await.until(() -> dp.stat("http.optional.downstream_rq_2xx") == 1, "the 2xx to be counted");
    }
  }

  @Test
  void unknownRequiredFilterRefusesToStart() {
    Exception e = assertThrows(Exception.class,
        () -> Dataplane.start(yaml, Map.of("OPTIONAL", false, "ECHO", upstream.port())).close());
    assertTrue(e.getMessage().startsWith("listener main: "), e.getMessage());
    assertTrue(e.getMessage().endsWith("Didn't find a registered implementation for 'envoy.filters.http.cors' "
        + "with type URL: 'envoy.extensions.filters.http.cors.v3.Cors'"), e.getMessage());
  }
}
