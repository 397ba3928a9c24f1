package dev.xdsdp.it.wasm;

import static dev.xdsdp.it.support.Http.upstreamHeader;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client on its own connection, sending until stopped, checking each response of the
 * {@code http_filter} test module: the version the module stamped on the request (seen upstream)
 * must equal the one on the response, and versions never go back on one connection.
 */
final class VersionCheckingClient {

  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  final URI uri;
  final List<String> problems = new ArrayList<>();
  final Set<Integer> versions = ConcurrentHashMap.newKeySet();
  int responses;
  int lastVersion;

  VersionCheckingClient(URI uri) {
    this.uri = uri;
  }

  /** Three fast clients and one whose requests take 250 ms (they span pushes). */
  static List<VersionCheckingClient> mix(int port) {
    String base = "http://127.0.0.1:" + port;
    return List.of(new VersionCheckingClient(URI.create(base + "/fast")), new VersionCheckingClient(URI.create(base + "/fast")),
        new VersionCheckingClient(URI.create(base + "/fast")), new VersionCheckingClient(URI.create(base + "/slow?delay=250")));
  }

  void run(AtomicBoolean running) {
    while (running.get()) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofString());
        responses++;
        if (r.statusCode() != 200) {
          problems.add("status " + r.statusCode() + ": " + r.body());
          continue;
        }
        String up = upstreamHeader(r, "x-wasm-version");
        String down = r.headers().firstValue("x-wasm-version").orElse(null);
        if (up == null || !up.equals(down)) {
          problems.add("request saw version " + up + ", response " + down);
          continue;
        }
        int v = Integer.parseInt(up);
        if (v < lastVersion) {
          problems.add("version went back from " + lastVersion + " to " + v);
        }
        lastVersion = v;
        versions.add(v);
        Thread.sleep(2);
      } catch (Exception e) {
        problems.add(e.toString());
      }
    }
    http.close();
  }
}
