package dev.xdsdp.it.wasm;

import static dev.xdsdp.it.support.Http.get;
import static dev.xdsdp.it.support.Http.upstreamHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Wasm filters in a static bootstrap, through real sockets with real modules: headers, local
 * replies, an auth callout to a real service, body rewriting with buffering, properties of the
 * real stream, environment and configuration, shared data across event loops, ticks, remote code
 * and the wasm stats. One data plane ({@code --concurrency 2}) serves every test.
 */
class WasmFilterIT {

  static EchoUpstream echo;
  static AuxServers aux;
  static io.grpc.Server grpc;
  static Dataplane dp;
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    echo = EchoUpstream.start("echo");
    aux = new AuxServers();
    aux.serve(Modules.bytes(Modules.HTTP_FILTER));
    grpc = io.grpc.Grpc.newServerBuilderForPort(0, io.grpc.InsecureServerCredentials.create())
        .addService(new Health()).addService(Chat.SERVICE).build().start();
    dir = Files.createTempDirectory("wasm-it");
    int deadPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    dp = Dataplane.startBootstrap("wasm-filters.yaml", Map.of(
        "ECHO", echo.port(), "AUTH", aux.authPort(), "CODE", aux.codePort(), "GRPC", grpc.getPort(),
        "DEAD", deadPort,
        "MODULE", Modules.file(dir, Modules.HTTP_FILTER), "AS_MODULE", Modules.file(dir, Modules.AS_GCORE),
        "MODULE_SHA256", Modules.sha256(Modules.HTTP_FILTER)));
  }

  @AfterAll
  static void stop() {
    dp.close();
    grpc.shutdownNow();
    aux.close();
    echo.close();
  }

  static HttpResponse<String> main(String test, String... headers) throws Exception {
    String[] all = new String[headers.length + 2];
    all[0] = "x-test";
    all[1] = test;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return get(dp.uri("main", "/" + test), all);
  }

  @Test
  void headersAreAddedOnTheWayUpAndDown() throws Exception {
    HttpResponse<String> r = main("headers");
    assertEquals(200, r.statusCode());
    assertEquals("7", upstreamHeader(r, "x-wasm-version"));
    assertEquals("main", upstreamHeader(r, "x-wasm-plugin"));
    assertEquals("7", r.headers().firstValue("x-wasm-version").orElse(null));
    assertEquals("1", r.headers().firstValue("x-wasm-response").orElse(null));
  }

  @Test
  void localResponseComesFromTheFilterAndPassesItsResponseCallback() throws Exception {
    int before = echo.requests();
    HttpResponse<String> r = main("local");
    assertEquals(403, r.statusCode());
    assertEquals("denied by wasm\n", r.body());
    assertEquals("1", r.headers().firstValue("x-wasm-local").orElse(null));
    assertEquals("text/plain", r.headers().firstValue("content-type").orElse(null));
    // The reply went through the module's own on_response_headers, as in Envoy.
    assertEquals("1", r.headers().firstValue("x-wasm-response").orElse(null));
    assertEquals(before, echo.requests(), "a local reply never reaches the upstream");
  }

  @Test
  void authCalloutAllowsAndDenies() throws Exception {
    int before = aux.authRequests.get();
    HttpResponse<String> ok = main("auth", "authorization", "Bearer alice-ok");
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("alice", upstreamHeader(ok, "x-auth-user"));
    HttpResponse<String> denied = main("auth", "authorization", "Bearer mallory");
    assertEquals(403, denied.statusCode());
    assertEquals("auth denied", denied.body());
    assertEquals("403", denied.headers().firstValue("x-auth-status").orElse(null));
    assertEquals(before + 2, aux.authRequests.get(), "each request asked the auth service once");
  }

  /**
   * A callout slower than its timeout: as in Envoy, where the async client's router answers the
   * call itself with a 504 local reply ("upstream request timeout") when the timeout fires, the
   * module's proxy_on_http_call_response runs about the timeout after the dispatch with a 504
   * response, and the module denies the stream with that status.
   */
  @Test
  void authCalloutSlowerThanItsTimeoutGetsEnvoysTimeoutResponse() throws Exception {
    // Warm the path (VM, callout connection) so that the timing below is the timeout's alone.
    assertEquals(200, main("auth", "authorization", "Bearer alice-ok").statusCode());
    int before = aux.authRequests.get();
    long start = System.nanoTime();
    HttpResponse<String> r = main("auth", "authorization", "Bearer slow-ok", "x-auth-timeout", "200");
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("auth denied", r.body());
    assertEquals("504", r.headers().firstValue("x-auth-status").orElse(null),
        "the module saw the timeout as Envoy's 504 local reply");
    assertTrue(tookMillis >= 200 && tookMillis < AuxServers.SLOW_AUTH_MILLIS - 500,
        "answered at the call's timeout, not when the auth service did: " + tookMillis + " ms");
    assertEquals(before + 1, aux.authRequests.get(), "the call reached the auth service");
  }

  /**
   * An upload larger than the buffer limit while the module pauses at the headers for a slow auth
   * callout: as in Envoy (cpp-host turns the pause into StopAllIterationAndWatermark) the client is
   * paused, not answered 413, and once the call allows the request every byte reaches the upstream.
   */
  @Test
  void aLargeUploadWaitsForASlowAuthCalloutInsteadOf413() throws Exception {
    byte[] body = randomText(4 << 20);
    HttpRequest req = HttpRequest.newBuilder(dp.uri("main", "/upload?summary=1"))
        .header("x-test", "auth").header("authorization", "Bearer slow-ok").header("x-auth-timeout", "10000")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    HttpResponse<String> r = dev.xdsdp.it.support.Http.send(req);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(body.length, new JsonObject(r.body()).getLong("bodyLength"));
    assertEquals("slow", upstreamHeader(r, "x-auth-user"));
  }

  /** A cluster without endpoints: Envoy's router answers the call "no healthy upstream" (503). */
  @Test
  void calloutsToAClusterWithNoHostsGetNoHealthyUpstream() throws Exception {
    HttpResponse<String> r = main("auth", "authorization", "Bearer alice-ok", "x-call-cluster", "empty");
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("503", r.headers().firstValue("x-auth-status").orElse(null),
        "the module saw Envoy's 503 local reply, not a failed call");
    HttpResponse<String> s = main("grpc_stream", "x-call-cluster", "empty", "x-chat-send", "x");
    assertEquals("init:-;trail:-;close:14:no healthy upstream", upstreamHeader(s, "x-grpc-stream-log"));
  }

  @Test
  void authCalloutToAnUnreachableUpstreamGetsEnvoys503Response() throws Exception {
    long connectFailures = dp.stat("cluster.deadauth.upstream_cx_connect_fail");
    HttpResponse<String> r = get(dp.uri("deadauth", "/auth"), "x-test", "auth", "authorization", "Bearer alice-ok");
    assertEquals(connectFailures + 1, dp.stat("cluster.deadauth.upstream_cx_connect_fail"),
        "a callout's failed connect is counted on its cluster, as a routed request's is");
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("auth denied", r.body());
    assertEquals("503", r.headers().firstValue("x-auth-status").orElse(null),
        "the module saw the connect failure as Envoy's 503 local reply, not as a failed call");
  }

  /** grpc.health.v1.Health: "ok" serves, "down" does not, anything else is NOT_FOUND. */
  static final class Health extends io.grpc.health.v1.HealthGrpc.HealthImplBase {
    @Override
    public void check(io.grpc.health.v1.HealthCheckRequest request,
        io.grpc.stub.StreamObserver<io.grpc.health.v1.HealthCheckResponse> out) {
      var status = switch (request.getService()) {
        case "ok" -> io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;
        case "down" -> io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING;
        default -> null;
      };
      if (status == null) {
        out.onError(io.grpc.Status.NOT_FOUND.withDescription("no service " + request.getService()).asRuntimeException());
        return;
      }
      out.onNext(io.grpc.health.v1.HealthCheckResponse.newBuilder().setStatus(status).build());
      out.onCompleted();
    }
  }

  /**
   * test.Chat/Talk, a bidirectional stream of raw bytes on the real gRPC server: initial metadata
   * "x-chat: hello", each message answered upper-cased, "fail" closes with PERMISSION_DENIED, the
   * client's half-close ends the call OK with trailing metadata "x-chat-end: bye".
   */
  static final class Chat {
    static final java.util.concurrent.atomic.AtomicInteger CANCELLED = new java.util.concurrent.atomic.AtomicInteger();
    static final java.util.concurrent.atomic.AtomicInteger HALF_CLOSED = new java.util.concurrent.atomic.AtomicInteger();
    static final io.grpc.MethodDescriptor.Marshaller<byte[]> BYTES = new io.grpc.MethodDescriptor.Marshaller<>() {
      @Override
      public java.io.InputStream stream(byte[] value) {
        return new java.io.ByteArrayInputStream(value);
      }

      @Override
      public byte[] parse(java.io.InputStream stream) {
        try {
          return stream.readAllBytes();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
    static final io.grpc.MethodDescriptor<byte[], byte[]> TALK = io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
        .setFullMethodName("test.Chat/Talk").setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    static final io.grpc.Metadata.Key<String> X_CHAT = io.grpc.Metadata.Key.of("x-chat", io.grpc.Metadata.ASCII_STRING_MARSHALLER);
    static final io.grpc.Metadata.Key<String> X_CHAT_END =
        io.grpc.Metadata.Key.of("x-chat-end", io.grpc.Metadata.ASCII_STRING_MARSHALLER);
    static final io.grpc.ServerServiceDefinition SERVICE = io.grpc.ServerServiceDefinition.builder("test.Chat")
        .addMethod(TALK, (call, headers) -> {
          io.grpc.Metadata initial = new io.grpc.Metadata();
          initial.put(X_CHAT, "hello");
          call.sendHeaders(initial);
          call.request(1);
          return new io.grpc.ServerCall.Listener<>() {
            @Override
            public void onMessage(byte[] message) {
              String text = new String(message, StandardCharsets.UTF_8);
              if (text.equals("fail")) {
                call.close(io.grpc.Status.PERMISSION_DENIED.withDescription("no chat"), new io.grpc.Metadata());
                return;
              }
              call.sendMessage(text.toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8));
              call.request(1);
            }

            @Override
            public void onHalfClose() {
              HALF_CLOSED.incrementAndGet();
              io.grpc.Metadata trailers = new io.grpc.Metadata();
              trailers.put(X_CHAT_END, "bye");
              call.close(io.grpc.Status.OK, trailers);
            }

            @Override
            public void onCancel() {
              CANCELLED.incrementAndGet();
            }
          };
        })
        .build();
  }

  /** proxy_grpc_stream: messages both ways on one stream, closed by the module's half-close. */
  @Test
  void grpcStreamCalloutsTalkToARealGrpcServer() throws Exception {
    int halfClosed = Chat.HALF_CLOSED.get();
    HttpResponse<String> r = main("grpc_stream", "x-chat-send", "one,two,three", "x-chat-end", "close");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("init:hello;msg:ONE;msg:TWO;msg:THREE;trail:bye;close:0:", upstreamHeader(r, "x-grpc-stream-log"));
    assertEquals(halfClosed + 1, Chat.HALF_CLOSED.get(), "proxy_grpc_close half-closed the stream");
    // The same, ended by end of stream on the last message instead.
    HttpResponse<String> eos = main("grpc_stream", "x-chat-send", "a,b", "x-chat-end", "eos");
    assertEquals("init:hello;msg:A;msg:B;trail:bye;close:0:", upstreamHeader(eos, "x-grpc-stream-log"));
  }

  @Test
  void aGrpcStreamClosedByTheServerReportsItsStatus() throws Exception {
    HttpResponse<String> r = main("grpc_stream", "x-chat-send", "hi,fail", "x-chat-end", "open");
    assertEquals("init:hello;msg:HI;trail:-;close:7:no chat", upstreamHeader(r, "x-grpc-stream-log"));
  }

  @Test
  void aGrpcStreamCancelledByTheModuleIsCancelledAtTheServer() throws Exception {
    int cancelled = Chat.CANCELLED.get();
    HttpResponse<String> r = main("grpc_stream", "x-chat-send", "first", "x-chat-end", "cancel");
    assertEquals("init:hello;msg:FIRST;cancelled:1", upstreamHeader(r, "x-grpc-stream-log"));
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (Chat.CANCELLED.get() == cancelled && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(cancelled + 1, Chat.CANCELLED.get(), "the server saw the reset");
  }

  @Test
  void aGrpcStreamToAnUnreachableUpstreamClosesUnavailable() throws Exception {
    long connectFailures = dp.stat("cluster.deadauth.upstream_cx_connect_fail");
    HttpResponse<String> r = get(dp.uri("deadauth", "/x"), "x-test", "grpc_stream", "x-chat-send", "x");
    assertEquals(connectFailures + 1, dp.stat("cluster.deadauth.upstream_cx_connect_fail"));
    // As Envoy's router answers a gRPC request it cannot send: a trailers-only local reply.
    assertEquals("init:-;trail:-;close:14:upstream connect error or disconnect/reset before headers. "
        + "reset reason: connection failure", upstreamHeader(r, "x-grpc-stream-log"));
  }

  @Test
  void unaryGrpcCalloutsReachARealGrpcServer() throws Exception {
    HttpResponse<String> ok = main("grpc", "x-grpc-service", "ok");
    assertEquals(200, ok.statusCode(), ok.body());
    var reply = io.grpc.health.v1.HealthCheckResponse.parseFrom(
        java.util.HexFormat.of().parseHex(upstreamHeader(ok, "x-grpc-reply-hex")));
    assertEquals(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING, reply.getStatus());
    HttpResponse<String> down = main("grpc", "x-grpc-service", "down");
    assertEquals(io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING,
        io.grpc.health.v1.HealthCheckResponse.parseFrom(
            java.util.HexFormat.of().parseHex(upstreamHeader(down, "x-grpc-reply-hex"))).getStatus());
    HttpResponse<String> missing = main("grpc", "x-grpc-service", "nope");
    assertEquals("5", upstreamHeader(missing, "x-grpc-status"), "NOT_FOUND reaches proxy_on_grpc_close");
    assertEquals("no service nope", upstreamHeader(missing, "x-grpc-message"));
  }

  @Test
  void requestAndResponseBodiesAreBufferedAndRewritten() throws Exception {
    String body = "a".repeat(30_000) + "b".repeat(30_000);
    List<byte[]> parts = new ArrayList<>();
    for (int i = 0; i < body.length(); i += 10_000) {
      parts.add(body.substring(i, i + 10_000).getBytes(StandardCharsets.UTF_8));
    }
    HttpRequest req = HttpRequest.newBuilder(dp.uri("main", "/body"))
        .header("x-test", "body")
        .POST(HttpRequest.BodyPublishers.ofByteArrays(parts)) // unknown length: chunked, in parts
        .build();
    HttpResponse<String> r = dev.xdsdp.it.support.Http.send(req);
    assertEquals(200, r.statusCode(), r.body());
    JsonObject rewritten = new JsonObject(r.body());
    JsonObject upstream = rewritten.getJsonObject("upstream");
    String seen = upstream.getString("body");
    assertTrue(seen.startsWith("wasm["), seen.substring(0, 20));
    // The module saw the whole body, with its full size, at end of stream.
    assertTrue(seen.endsWith("," + body.length() + "]:" + body), seen.substring(0, 30));
    assertEquals(r.body().getBytes(StandardCharsets.UTF_8).length - prefixLength(r.body()) - 1,
        rewritten.getInteger("wasm_size"));
  }

  /** Printable random bytes (JSON needs no escapes, C strings no NULs), the same for every run. */
  static byte[] randomText(int n) {
    java.util.Random random = new java.util.Random(n);
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = (byte) ('0' + random.nextInt(75)); // '0'..'z'
      if (out[i] == '\\') {
        out[i] = '_';
      }
    }
    return out;
  }

  /** A POST in the module's body mode (both bodies buffered and rewritten), in one piece. */
  static HttpResponse<String> postBody(String listener, String path, byte[] body) throws Exception {
    return dev.xdsdp.it.support.Http.send(HttpRequest.newBuilder(dp.uri(listener, path))
        .header("x-test", "body").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  /**
   * A filter that stops each body chunk until the end of stream buffers the whole request body in
   * the connection manager: past its buffer limit (1 MiB, Envoy's default) the stream is answered
   * 413 as in Envoy (Payload Too Large from the connection manager, not the module or upstream).
   */
  @Test
  void requestBodyBufferedPastTheBufferLimitIsAnswered413() throws Exception {
    byte[] body = randomText(1536 * 1024);
    HttpResponse<String> r = postBody("main", "/too-large", body);
    assertEquals(413, r.statusCode(), r.body());
    // As in Envoy, the local reply goes through the encoder filters, the module's included (its
    // body mode wraps the response body).
    assertEquals("1", r.headers().firstValue("x-wasm-response").orElse(null));
    assertTrue(r.body().endsWith("\"upstream\":Payload Too Large}"), r.body());
  }

  /** The listener's per_connection_buffer_limit_bytes (64 KiB on "deadauth") is the limit, as in Envoy. */
  @Test
  void theListenersPerConnectionBufferLimitIsTheBufferLimit() throws Exception {
    assertEquals(413, postBody("deadauth", "/over", randomText(100 * 1024)).statusCode());
    HttpResponse<String> r = postBody("deadauth", "/under", randomText(48 * 1024));
    assertEquals(200, r.statusCode(), r.body());
  }

  /** Under the buffer limit, the buffered request body reaches the upstream byte for byte. */
  @Test
  void requestBodyBufferedUnderTheBufferLimitReachesTheUpstreamIntact() throws Exception {
    byte[] body = randomText(512 * 1024);
    HttpResponse<String> r = postBody("main", "/large", body);
    assertEquals(200, r.statusCode(), r.body().length() > 200 ? r.body().substring(0, 200) : r.body());
    String seen = new JsonObject(r.body()).getJsonObject("upstream").getString("body");
    String prefix = seen.substring(0, seen.indexOf("]:") + 2);
    assertTrue(prefix.matches("wasm\\[\\d+," + body.length + "]:"), prefix);
    assertTrue(java.util.Arrays.equals(body, seen.substring(prefix.length()).getBytes(StandardCharsets.UTF_8)),
        "the upstream got the body byte for byte after the module's prefix");
  }

  /** Length of {"wasm_chunks":n,"wasm_size":n,"upstream": in a rewritten response. */
  static int prefixLength(String body) {
    return body.indexOf("\"upstream\":") + "\"upstream\":".length();
  }

  @Test
  void streamedResponseBodyIsAccumulatedBeforeTheModuleRewritesIt() throws Exception {
    HttpResponse<String> r = get(dp.uri("main", "/chunks?chunks=3"), "x-test", "body");
    assertEquals(200, r.statusCode());
    String expected = "chunk0\nchunk1\nchunk2\n";
    assertTrue(r.body().endsWith("\"upstream\":" + expected + "}"), r.body());
    assertTrue(r.body().contains("\"wasm_size\":" + expected.length() + ","), r.body());
    int chunks = Integer.parseInt(r.body().replaceAll("(?s)^\\{\"wasm_chunks\":(\\d+),.*$", "$1"));
    assertTrue(chunks >= 2, "the module was called per chunk while buffering: " + r.body());
  }

  @Test
  void propertiesComeFromTheRealStream() throws Exception {
    HttpResponse<String> r = main("props");
    assertEquals(200, r.statusCode());
    assertEquals("to_echo", upstreamHeader(r, "x-wasm-route-name"));
    assertEquals("echo", upstreamHeader(r, "x-wasm-cluster-name"));
    assertEquals("echo", upstreamHeader(r, "x-wasm-legacy-cluster-name"));
    assertTrue(upstreamHeader(r, "x-wasm-source").startsWith("127.0.0.1:"));
    assertEquals("127.0.0.1:" + dp.port("main"), upstreamHeader(r, "x-wasm-destination"));
    assertEquals("main", upstreamHeader(r, "x-wasm-plugin-name"));
    assertEquals("main_root", upstreamHeader(r, "x-wasm-root-id"));
    assertEquals("vm_main", upstreamHeader(r, "x-wasm-vm-id"));
    assertEquals("wasm-node-1", upstreamHeader(r, "x-wasm-node-id"));
    assertEquals("HTTP/1.1", upstreamHeader(r, "x-wasm-protocol"));
    assertEquals("/props", upstreamHeader(r, "x-wasm-path"));
    assertEquals("1", upstreamHeader(r, "x-wasm-listener-direction"), "INBOUND");
    // proxy_on_log ran after the response, with the stream's final facts.
    HttpResponse<String> log = main("last_log");
    assertEquals("code=200;details=via_upstream;flags=0;duration=yes;cluster=echo;upstream=yes;status=200",
        upstreamHeader(log, "x-wasm-last-log"));
  }

  @Test
  void environmentAndConfigurationReachTheModule() throws Exception {
    HttpResponse<String> r = main("env");
    assertEquals("from-config", upstreamHeader(r, "x-wasm-env"));
    assertEquals("vm-config-text", upstreamHeader(r, "x-wasm-vm-config"));
    assertEquals("version=7;auth_cluster=auth;grpc_cluster=grpc;tick=20", upstreamHeader(r, "x-wasm-config"));
  }

  @Test
  void ticksRunOnEveryLoop() throws Exception {
    long first = Long.parseLong(upstreamHeader(main("ticks"), "x-wasm-ticks"));
    Thread.sleep(300);
    long second = Long.parseLong(upstreamHeader(main("ticks"), "x-wasm-ticks"));
    // Two VMs tick every 20 ms into one shared counter.
    assertTrue(second - first >= 10, first + " -> " + second);
  }

  /** {@code n} requests from each of {@code clients} clients in parallel, each client its own connection. */
  static List<HttpResponse<String>> fromManyConnections(URI uri, int clients, int n, String... headers) throws Exception {
    ConcurrentLinkedQueue<HttpResponse<String>> out = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      all.add(CompletableFuture.runAsync(() -> {
        try {
          for (int i = 0; i < n; i++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
            for (int h = 0; h < headers.length; h += 2) {
              b.header(headers[h], headers[h + 1]);
            }
            out.add(client.send(b.build(), HttpResponse.BodyHandlers.ofString()));
          }
        } catch (Exception e) {
          throw new RuntimeException(e);
        } finally {
          client.close();
        }
      }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
    return new ArrayList<>(out);
  }

  @Test
  void sharedDataCounterIsExactAcrossEventLoops() throws Exception {
    // The first write of a key has no CAS to check (Envoy's semantics too): make it alone.
    long first = Long.parseLong(upstreamHeader(main("count"), "x-wasm-count"));
    List<HttpResponse<String>> rs = fromManyConnections(dp.uri("main", "/count"), 6, 8, "x-test", "count");
    Set<Long> counts = new HashSet<>();
    Set<String> vms = new HashSet<>();
    for (HttpResponse<String> r : rs) {
      assertEquals(200, r.statusCode());
      counts.add(Long.parseLong(upstreamHeader(r, "x-wasm-count")));
      vms.add(upstreamHeader(r, "x-wasm-vm"));
    }
    assertEquals(48, counts.size(), "compare-and-swap gives every request its own number");
    assertEquals(first + 48, java.util.Collections.max(counts));
    assertEquals(Set.of("1", "2"), vms, "both worker loops' VMs served and shared the counter");
  }

  @Test
  void assemblyScriptModuleCountsAcrossEventLoops() throws Exception {
    long first = Long.parseLong(upstreamHeader(get(dp.uri("as", "/first")), "x-as-count"));
    List<HttpResponse<String>> rs = fromManyConnections(dp.uri("as", "/as"), 4, 5);
    Set<Long> counts = new HashSet<>();
    for (HttpResponse<String> r : rs) {
      assertEquals(200, r.statusCode());
      assertEquals("gcore", upstreamHeader(r, "x-as-sdk"));
      assertEquals("as_counter", upstreamHeader(r, "x-as-plugin"));
      counts.add(Long.parseLong(upstreamHeader(r, "x-as-count")));
    }
    assertEquals(20, counts.size(), counts.toString());
    assertEquals(first + 20, java.util.Collections.max(counts));
  }

  @Test
  void remoteCodeIsFetchedThroughItsClusterOnce() throws Exception {
    HttpResponse<String> r = get(dp.uri("remote", "/r"));
    assertEquals(200, r.statusCode());
    assertEquals("remote", upstreamHeader(r, "x-wasm-version"));
    assertEquals(1, aux.codeRequests.get());
    assertEquals(1, dp.stat("wasm.remote_load_cache_misses"));
    assertEquals(1, dp.stat("wasm.remote_load_fetch_successes"));
    assertEquals(1, dp.stat("wasm.remote_load_cache_entries"));
  }

  @Test
  void envoyAndPluginStatsAreInTheServerStore() throws Exception {
    main("headers");
    // Every plugin runs one VM per worker loop; the runtime named in the config names the stats.
    assertEquals(2, dp.stat("wasm.envoy.wasm.runtime.wasmtime.active"));
    assertEquals(2, dp.stat("wasm.envoy.wasm.runtime.wasmtime.created"));
    assertEquals(6, dp.stat("wasm.envoy.wasm.runtime.v8.active"), "as_counter, remote and deadauth");
    assertTrue(dp.stat("wasm.main.vm_calls") > 0);
    assertTrue(dp.stat("wasm.main.vm_cpu_time_us") > 0);
    assertTrue(dp.stat("wasm.main.vm_memory_high_water_bytes") >= 65536);
    assertTrue(dp.stat("wasm.main.hostcall.proxy_add_header_map_value.calls") > 0);
  }

  // Flow control: StopIterationAndWatermark holds a body without failing the stream.

  static final long BIG_BODY = 32L << 20;
  static final long BUFFER_LIMIT = 1L << 20; // Envoy's default per-connection buffer limit

  static void release(String key) throws Exception {
    assertEquals(200, main("release", "x-wm-key", key).statusCode());
  }

  /**
   * A module that holds a 32 MiB upload with StopIterationAndWatermark: once it holds more than
   * the buffer limit the data plane stops reading from the client (the client's writes stall), no
   * 413 is sent, and the module never sees much more than the limit; when the module continues,
   * reading resumes and the upstream gets every byte.
   */
  @Test
  void aRequestBodyHeldWithWatermarkPausesTheClientInsteadOfFailing() throws Exception {
    String key = "wm_request";
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", dp.port("main"))) {
      socket.setSoTimeout(20_000);
      java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
      CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
        try {
          var out = socket.getOutputStream();
          out.write(("POST /hold?summary=1 HTTP/1.1\r\nhost: main\r\nx-test: hold_request\r\nx-wm-key: " + key
              + "\r\ncontent-length: " + BIG_BODY + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          byte[] chunk = new byte[64 * 1024];
          for (long left = BIG_BODY; left > 0; left -= chunk.length) {
            out.write(chunk, 0, (int) Math.min(chunk.length, left));
            written.addAndGet(Math.min(chunk.length, left));
          }
          out.flush();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      long stalledAt = dev.xdsdp.it.support.Await.stall(written::get);
      assertTrue(stalledAt < BIG_BODY, "the client's writes stall while the module holds the body");
      long held = dp.sharedNumber("vm_main", key + "_held");
      assertTrue(held > BUFFER_LIMIT && held < 2 * BUFFER_LIMIT,
          "the module held a little over the limit, not the whole upload: " + held);
      release(key);
      upload.get(20, java.util.concurrent.TimeUnit.SECONDS);
      String response = readHttpResponse(socket.getInputStream());
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      JsonObject echoed = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
      assertEquals(BIG_BODY, echoed.getLong("bodyLength"), "every byte reached the upstream");
    }
  }

  /**
   * The same on the response: a module holding a 32 MiB response body with
   * StopIterationAndWatermark makes the data plane stop reading from the upstream (the upstream's
   * writes stall), and the client gets every byte once the module continues.
   */
  @Test
  void aResponseBodyHeldWithWatermarkPausesTheUpstreamInsteadOfFailing() throws Exception {
    String key = "wm_response";
    long streamedBefore = echo.bytesStreamed();
    HttpRequest request = HttpRequest.newBuilder(dp.uri("main", "/hold?size=" + BIG_BODY))
        .header("x-test", "hold_response").header("x-wm-key", key).timeout(Duration.ofSeconds(30)).build();
    CompletableFuture<HttpResponse<byte[]>> response =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
            .sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    long stalledAt = dev.xdsdp.it.support.Await.stall(() -> echo.bytesStreamed() - streamedBefore);
    assertTrue(stalledAt < BIG_BODY, "the upstream's writes stall while the module holds the body: " + stalledAt);
    long held = dp.sharedNumber("vm_main", key + "_held");
    assertTrue(held > BUFFER_LIMIT && held < 2 * BUFFER_LIMIT,
        "the module held a little over the limit, not the whole response: " + held);
    assertTrue(!response.isDone(), "the response is still held");
    release(key);
    HttpResponse<byte[]> r = response.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(200, r.statusCode());
    assertEquals(BIG_BODY, r.body().length, "every byte reached the client");
  }

  /** Reads one HTTP/1.1 response with a content-length: status line, headers and body. */
  static String readHttpResponse(java.io.InputStream in) throws java.io.IOException {
    java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException("connection closed in the headers: " + head);
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String headers = head.toString(StandardCharsets.US_ASCII);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(headers);
    assertTrue(m.find(), headers);
    byte[] body = in.readNBytes(Integer.parseInt(m.group(1)));
    return headers + new String(body, StandardCharsets.UTF_8);
  }
}
