package dev.xdsdp.dataplane.admin;

import dev.xdsdp.dataplane.http.DateProvider;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Envoy's admin server: a Vert.x HTTP server on the bootstrap's {@code admin.address} answering
 * the admin endpoints ({@code /stats}, {@code /config_dump}, {@code /clusters}, ...) with Envoy's
 * paths, bodies and status codes. Paths match exactly; an endpoint that changes state answers only
 * POST (405 {@code Method GET not allowed, POST required.} otherwise); an unknown path gets 404
 * with {@code invalid path.} and the endpoint list. Parameters come from the query or, when there
 * is none, from a form-encoded body.
 *
 * <p>Every handler runs on a Vert.x worker thread, never on the event loop: rendering stats or a
 * config dump can take a while.
 *
 * <pre>{@code
 * ConfigTracker tracker = new ConfigTracker();
 * StaticConfigDumps.register(tracker, context);
 * AdminServer admin = AdminServer.start(vertx, context, tracker, bootstrap.getAdmin().getAddress())
 *     .toCompletionStage().toCompletableFuture().get();
 * int port = admin.port();
 * }</pre>
 */
public final class AdminServer implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("admin");

  private final Vertx vertx;
  private final Map<String, AdminEndpoint> endpoints;
  private final String help;
  private HttpServer server;
  private SocketAddress boundAddress;

  private AdminServer(Vertx vertx, List<AdminEndpoint> endpoints) {
    this.vertx = vertx;
    List<AdminEndpoint> all = new ArrayList<>(endpoints);
    // Envoy's home page is HTML; without it, both print the endpoint list.
    all.add(AdminEndpoint.get("/", "Admin home page", r -> AdminResponse.ok(help())));
    all.add(AdminEndpoint.get("/help", "print out list of admin commands", r -> AdminResponse.ok(help())));
    Map<String, AdminEndpoint> byPath = new LinkedHashMap<>();
    for (AdminEndpoint e : all) {
      if (byPath.putIfAbsent(e.path(), e) != null) {
        throw new IllegalArgumentException("two admin endpoints for " + e.path());
      }
    }
    this.endpoints = byPath;
    this.help = help(all);
  }

  /**
   * The endpoints Envoy's admin has and this data plane implements, {@code /} and {@code /help}
   * included (both print the endpoint list).
   */
  public static List<AdminEndpoint> defaultEndpoints(AdminContext context, ConfigTracker tracker) {
    List<AdminEndpoint> all = new ArrayList<>();
    all.addAll(new ServerInfoHandler(context).endpoints());
    all.addAll(new ReadyHandler(context).endpoints());
    all.addAll(new ServerCmdHandler(context).endpoints());
    all.addAll(new StatsHandler(context).endpoints());
    all.addAll(new ClustersHandler(context).endpoints());
    all.addAll(new ListenersHandler(context).endpoints());
    all.addAll(new ConfigDumpHandler(tracker, context).endpoints());
    all.addAll(new LoggingHandler(context).endpoints());
    all.addAll(new RuntimeHandler().endpoints());
    all.addAll(new InitDumpHandler().endpoints());
    return all;
  }

  /**
   * Binds the default endpoints on {@code address} (a socket address, port 0 for any free port,
   * or a pipe) and, when {@code --admin-address-path} is set, writes the bound address there.
   */
  public static Future<AdminServer> start(Vertx vertx, AdminContext context, ConfigTracker tracker, Address address) {
    return start(vertx, defaultEndpoints(context, tracker), address, context.options().adminAddressPath());
  }

  /**
   * Binds {@code endpoints} on {@code address}.
   *
   * @param addressPath where to write the bound address ({@code 127.0.0.1:9901}), "" for nowhere
   */
  public static Future<AdminServer> start(Vertx vertx, List<AdminEndpoint> endpoints, Address address,
      String addressPath) {
    SocketAddress bindTo;
    try {
      bindTo = socketAddress(address);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    AdminServer admin;
    try {
      admin = new AdminServer(vertx, endpoints);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    HttpServer server = vertx.createHttpServer().requestHandler(admin::onRequest);
    return server.listen(bindTo)
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "cannot bind the admin address " + describe(bindTo) + ": " + e.getMessage(), e)))
        .compose(s -> {
          admin.server = s;
          admin.boundAddress = bindTo.isDomainSocket()
              ? bindTo
              : SocketAddress.inetSocketAddress(s.actualPort(), bindTo.host());
          String shown = admin.addressString();
          LOG.log(System.Logger.Level.INFO, "admin address: {0}", shown);
          if (addressPath == null || addressPath.isEmpty()) {
            return Future.succeededFuture(admin);
          }
          return vertx.executeBlocking(() -> {
            try {
              Files.writeString(Path.of(addressPath), shown, StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
              // As Envoy: the server keeps running, the operator is told.
              LOG.log(System.Logger.Level.ERROR, "cannot open admin address output file {0} for writing.",
                  addressPath);
            }
            return admin;
          }, false);
        });
  }

  /** The port bound (the actual one when the config asked for port 0); 0 for a pipe. */
  public int port() {
    return boundAddress.isDomainSocket() ? 0 : boundAddress.port();
  }

  /** The bound address as Envoy prints it: {@code 127.0.0.1:9901}, {@code [::1]:9901} or a path. */
  public String addressString() {
    return describe(boundAddress);
  }

  /** The endpoint list that {@code /help} prints. */
  public String help() {
    return help;
  }

  /** Stops listening. */
  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** Stops listening and waits (at most 10 s); not for event loop threads. */
  @Override
  public void close() {
    try {
      stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "admin server did not stop cleanly: {0}", e.toString());
    }
  }

  private void onRequest(HttpServerRequest req) {
    req.body().onComplete(body -> {
      // path() and query() rather than uri(): an absolute-form target (GET http://host/stats) has the
      // same path.
      String target = req.path() == null ? "/" : req.path();
      if (req.query() != null) {
        target += "?" + req.query();
      }
      AdminRequest request = AdminRequest.of(req.method().name(), target, req.getHeader("content-type"),
          body.succeeded() ? body.result().toString(StandardCharsets.UTF_8) : null);
      vertx.executeBlocking(() -> dispatch(request), false).onComplete(result -> {
        AdminResponse response = result.succeeded()
            ? result.result()
            : AdminResponse.text(500, "admin handler failed: " + result.cause() + "\n");
        send(req, response);
      });
    });
  }

  private void send(HttpServerRequest req, AdminResponse response) {
    HttpServerResponse out = req.response();
    out.setStatusCode(response.status())
        .putHeader("content-type", response.contentType())
        .putHeader("cache-control", "no-cache, max-age=0")
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("date", DateProvider.now())
        .putHeader("server", "envoy");
    Buffer body = Buffer.buffer(response.body(), "UTF-8");
    Future<Void> sent;
    if (req.method() == HttpMethod.HEAD) {
      // Vert.x would write the body of a HEAD response; the client would then misread it.
      sent = out.putHeader("content-length", Integer.toString(body.length())).end();
    } else {
      sent = out.end(body);
    }
    sent.onComplete(done -> {
      if (response.afterSent() != null) {
        vertx.executeBlocking(() -> {
          response.afterSent().run();
          return null;
        }, false);
      }
    });
  }

  /**
   * Answers a request in process, without HTTP (Envoy's {@code Admin::request}); runs the handler
   * on the calling thread, which must not be an event loop.
   *
   * @param pathAndQuery e.g. {@code /stats?filter=server}
   */
  public AdminResponse request(String method, String pathAndQuery) {
    return dispatch(AdminRequest.of(method, pathAndQuery, null, null));
  }

  /** Routes one request: Envoy's {@code AdminImpl::makeRequest}. */
  AdminResponse dispatch(AdminRequest request) {
    AdminEndpoint endpoint = endpoints.get(request.path());
    if (endpoint == null) {
      return AdminResponse.text(404, "invalid path. " + help);
    }
    if (endpoint.mutatesState() && !request.isPost()) {
      LOG.log(System.Logger.Level.ERROR, "admin path \"{0}\" mutates state, method={1} rather than POST",
          endpoint.path(), request.method());
      return AdminResponse.text(405, "Method " + request.method() + " not allowed, POST required.");
    }
    try {
      return endpoint.handler().handle(request);
    } catch (Exception e) {
      LOG.log(System.Logger.Level.ERROR, "admin path \"" + endpoint.path() + "\" failed", e);
      return AdminResponse.text(500, "admin handler failed: " + e + "\n");
    }
  }

  private static String help(List<AdminEndpoint> endpoints) {
    List<AdminEndpoint> listed = new ArrayList<>(endpoints);
    listed.sort(Comparator.comparing(AdminEndpoint::path));
    StringBuilder out = new StringBuilder("admin commands are:\n");
    for (AdminEndpoint e : listed) {
      out.append("  ").append(e.path()).append(e.mutatesState() ? " (POST)" : "").append(": ").append(e.help())
          .append('\n');
      for (AdminEndpoint.Param p : e.params()) {
        out.append("      ").append(p.name()).append(": ").append(p.help());
        if (!p.choices().isEmpty()) {
          out.append("; One of (").append(String.join(", ", p.choices())).append(')');
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  private static SocketAddress socketAddress(Address address) {
    return switch (address.getAddressCase()) {
      case SOCKET_ADDRESS -> {
        var sa = address.getSocketAddress();
        if (sa.getAddress().isEmpty()) {
          throw new IllegalArgumentException("admin.address.socket_address.address must not be empty");
        }
        if (sa.hasNamedPort()) {
          throw new IllegalArgumentException("admin.address.socket_address: named ports are not supported");
        }
        yield SocketAddress.inetSocketAddress(sa.getPortValue(), sa.getAddress());
      }
      case PIPE -> SocketAddress.domainSocketAddress(address.getPipe().getPath());
      default -> throw new IllegalArgumentException("admin.address: a socket_address or pipe is required");
    };
  }

  private static String describe(SocketAddress a) {
    if (a.isDomainSocket()) {
      return a.path();
    }
    String host = a.host();
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + a.port() : host + ":" + a.port();
  }
}
