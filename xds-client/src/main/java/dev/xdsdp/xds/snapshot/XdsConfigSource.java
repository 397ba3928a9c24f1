package dev.xdsdp.xds.snapshot;

import com.google.protobuf.Any;
import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.xds.bootstrap.XdsBootstrapInfo;
import dev.xdsdp.xds.client.XdsClient;
import dev.xdsdp.xds.protocol.ControlPlaneClient;
import dev.xdsdp.xds.resource.ConfigIssues;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.transport.XdsTransport;
import dev.xdsdp.xds.transport.grpc.GrpcXdsTransport;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The data plane's entry to dynamic config: connects to the bootstrap's ADS server, subscribes
 * LDS and CDS and what they depend on, and hands each new {@link ConfigSnapshot} to a
 * {@link SnapshotListener}. Owns its xDS context: one thread named {@code xds} on which every
 * piece of xDS state lives and the listener is called.
 *
 * <pre>{@code
 * XdsConfigSource xds = XdsConfigSource.start(info, node,
 *     issues -> new ParseContext(registry, stats, node, false, issues, Server::normalize),
 *     stats, snapshot -> ...);
 * ...
 * xds.close();
 * }</pre>
 */
public final class XdsConfigSource implements AutoCloseable {

  private final ScheduledExecutorService context;
  private final boolean ownsContext;
  private final XdsTransport transport;
  private final ControlPlaneClient controlPlane;
  private final SnapshotAssembler assembler;

  private XdsConfigSource(ScheduledExecutorService context, boolean ownsContext, XdsTransport transport,
      ControlPlaneClient controlPlane, SnapshotAssembler assembler) {
    this.context = context;
    this.ownsContext = ownsContext;
    this.transport = transport;
    this.controlPlane = controlPlane;
    this.assembler = assembler;
  }

  /**
   * Starts following the ADS server of {@code info} over gRPC.
   *
   * @param node the local node, already merged with the command line's overrides
   * @param parseContexts makes the context of one resource parse from its fresh issue list (with
   *     {@code isStatic=false}); issues are logged as warnings
   * @param stats the stats root ({@code control_plane.*}, {@code listener_manager.lds.*}, ...)
   * @param listener gets every snapshot, on the xDS context
   */
  public static XdsConfigSource start(XdsBootstrapInfo info, Node node,
      Function<ConfigIssues, ParseContext> parseContexts, StatsScope stats, SnapshotListener listener) {
    ScheduledExecutorService context = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "xds");
      t.setDaemon(true);
      return t;
    });
    try {
      return start(info, node, parseContexts, stats, listener, GrpcXdsTransport.create(info), context, true);
    } catch (RuntimeException e) {
      context.shutdownNow();
      throw e;
    }
  }

  /**
   * Starts over a given transport and xDS context (tests, or a data plane that runs its main
   * thread itself). The context must run one task at a time.
   */
  public static XdsConfigSource start(XdsBootstrapInfo info, Node node,
      Function<ConfigIssues, ParseContext> parseContexts, StatsScope stats, SnapshotListener listener,
      XdsTransport transport, ScheduledExecutorService context, boolean ownsContext) {
    Clock clock = Clock.systemUTC();
    XdsStats xdsStats = new XdsStats(stats, clock);
    XdsClient client = new XdsClient(context, parseContexts, xdsStats, clock);
    ControlPlaneClient controlPlane = new ControlPlaneClient(transport, info, node, context, client, stats);
    client.setControlPlane(controlPlane);
    Function<Any, Any> normalizer = any -> parseContexts.apply(new ConfigIssues()).normalize(any);
    SnapshotAssembler assembler = new SnapshotAssembler(client, info, context, listener, normalizer::apply,
        xdsStats, clock);
    for (String w : info.warnings()) {
      System.getLogger("config").log(System.Logger.Level.WARNING, w);
    }
    context.execute(assembler::start);
    controlPlane.start();
    return new XdsConfigSource(context, ownsContext, transport, controlPlane, assembler);
  }

  /** The last published snapshot ({@link ConfigSnapshot#EMPTY} before the first). Any thread; waits for the xDS context. */
  public ConfigSnapshot current() {
    CompletableFuture<ConfigSnapshot> f = new CompletableFuture<>();
    context.execute(() -> f.complete(assembler.current()));
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the xDS context did not answer", e);
    }
  }

  /** Closes the stream and the connection, and stops the xDS context if it is ours. */
  @Override
  public void close() {
    controlPlane.close();
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      context.execute(() -> done.complete(null));
      done.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Already stopped or stuck: close the rest anyway.
    }
    transport.close();
    if (ownsContext) {
      context.shutdownNow();
    }
  }
}
