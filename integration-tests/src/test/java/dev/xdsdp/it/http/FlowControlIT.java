package dev.xdsdp.it.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.xdsdp.it.support.Dataplane;
import dev.xdsdp.it.support.EchoUpstream;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Back-pressure between the client and the upstream with no filter holding anything: an upload
 * larger than every buffer on the way, to an upstream that reads slowly, pauses the client each
 * time the upstream's write queue fills and resumes it when it drains, and arrives whole.
 */
class FlowControlIT {

  static EchoUpstream upstream;
  static Dataplane dp;

  @BeforeAll
  static void start() throws Exception {
    upstream = EchoUpstream.start("slow");
    dp = Dataplane.startBootstrap("flow-control.yaml", Map.of("UPSTREAM", upstream.port()));
  }

  @AfterAll
  static void stop() {
    dp.close();
    upstream.close();
  }

  @Test
  void aLargeUploadToASlowReaderArrivesWhole() throws Exception {
    int size = 24 << 20;
    byte[] chunk = new byte[256 * 1024];
    HttpRequest request = HttpRequest.newBuilder(dp.uri("main", "/upload?slowRead=2"))
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofByteArrays(() -> new java.util.Iterator<byte[]>() {
          int sent;

          @Override
          public boolean hasNext() {
            return sent < size;
          }

          @Override
          public byte[] next() {
            sent += chunk.length;
            return chunk;
          }
        }))
        .build();
    HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(size, new JsonObject(r.body()).getLong("bodyLength"));
  }

  /**
   * The other way: a client that does not read a 32 MiB response makes the data plane's write
   * queue to it fill, the router pauses the upstream (whose own writes then stall), and when the
   * client reads again every byte arrives.
   */
  @Test
  void aLargeDownloadToAClientThatStopsReadingPausesTheUpstream() throws Exception {
    long size = 32L << 20;
    long streamedBefore = upstream.bytesStreamed();
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", dp.port("main"))) {
      socket.setReceiveBufferSize(64 * 1024);
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(("GET /download?size=" + size + " HTTP/1.1\r\nhost: main\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      long stalledAt = dev.xdsdp.it.support.Await.stall(() -> upstream.bytesStreamed() - streamedBefore);
      org.junit.jupiter.api.Assertions.assertTrue(stalledAt < size,
          "the upstream's writes stall while the client does not read: " + stalledAt);
      var in = new java.io.BufferedInputStream(socket.getInputStream());
      String head = readHead(in);
      org.junit.jupiter.api.Assertions.assertTrue(head.startsWith("HTTP/1.1 200"), head);
      long read = 0;
      byte[] buf = new byte[64 * 1024];
      while (read < size) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, size - read));
        if (n < 0) {
          break;
        }
        read += n;
      }
      assertEquals(size, read, "every byte arrives once the client reads");
    }
  }

  /**
   * A retry is waiting out its backoff when the rest of the request body arrives and overflows the
   * buffer a retry would replay: as in Envoy the stream is answered 507 instead of a retry sending
   * half a body.
   */
  @Test
  void bodyOverflowingTheRetryBufferWhileARetryWaitsIsAnswered507() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", dp.port("retrying"))) {
      socket.setSoTimeout(20_000);
      var out = socket.getOutputStream();
      out.write(("POST /upload?early=503 HTTP/1.1\r\nhost: retrying\r\ncontent-length: " + (1 << 20) + "\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.write(new byte[16 * 1024]);
      out.flush();
      // The upstream answers 503 at once; the router schedules its retry and keeps the 16 KiB.
      Thread.sleep(500);
      java.util.concurrent.CompletableFuture.runAsync(() -> {
        try {
          out.write(new byte[(1 << 20) - 16 * 1024]);
          out.flush();
        } catch (java.io.IOException e) {
          // the data plane may close the connection after its answer
        }
      });
      String head = readHead(new java.io.BufferedInputStream(socket.getInputStream()));
      org.junit.jupiter.api.Assertions.assertTrue(head.startsWith("HTTP/1.1 507"), head);
    }
  }

  /** The status line and headers of an HTTP/1.1 response, up to the empty line. */
  static String readHead(java.io.InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new java.io.EOFException("closed in the headers: " + head);
      }
      head.append((char) c);
    }
    return head.toString();
  }
}
