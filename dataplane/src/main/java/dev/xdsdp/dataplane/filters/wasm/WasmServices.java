package dev.xdsdp.dataplane.filters.wasm;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.wasm.WasmException;
import dev.xdsdp.wasm.module.WasmModule;
import dev.xdsdp.wasm.plugin.WasmPlugin;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.extensions.wasm.v3.WasmService;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The bootstrap's Wasm services ({@code bootstrap_extensions} of type
 * {@code envoy.extensions.wasm.v3.WasmService}, Envoy's {@code envoy.bootstrap.wasm}): plugins that
 * serve no stream. A {@code singleton} one runs one VM on the service thread (Envoy's main thread);
 * otherwise one VM per worker loop. Their root contexts get ticks, shared data and shared queues,
 * and may make callouts: the classic use is a singleton that registers a queue which the HTTP
 * filters on the workers fill.
 *
 * <p>Services start with the server, after its static clusters and before its listeners accept,
 * and live until it stops. A service that cannot be loaded or started stops the server from
 * starting, as in Envoy.
 */
public final class WasmServices {

  public static final String NAME = "envoy.bootstrap.wasm";
  public static final String TYPE_URL = "type.googleapis.com/" + WasmService.getDescriptor().getFullName();

  private static final System.Logger LOG = System.getLogger("wasm");

  /** One running service. */
  public record Service(String name, boolean singleton, WasmPlugin plugin) {}

  private final List<Service> services;
  private final List<WasmHost.SharedPlugin> held;

  private WasmServices(List<Service> services, List<WasmHost.SharedPlugin> held) {
    this.services = List.copyOf(services);
    this.held = held;
  }

  /** No services. */
  public static WasmServices none() {
    return new WasmServices(List.of(), List.of());
  }

  /** A bootstrap extension this data plane does not run (reported as unsupported, as other ignored settings). */
  public record Skipped(int index, String name, String typeUrl) {}

  /** The {@code bootstrap_extensions} that are not Wasm services. */
  public static List<Skipped> skipped(Bootstrap bootstrap, UnaryOperator<Any> normalizer) {
    List<Skipped> out = new ArrayList<>();
    for (int i = 0; i < bootstrap.getBootstrapExtensionsCount(); i++) {
      TypedExtensionConfig e = bootstrap.getBootstrapExtensions(i);
      Any any = normalizer.apply(e.getTypedConfig());
      if (!any.getTypeUrl().equals(TYPE_URL)) {
        out.add(new Skipped(i, e.getName(), any.getTypeUrl()));
      }
    }
    return out;
  }

  /**
   * Parses and checks every Wasm service without starting it ({@code --mode validate}): the
   * config and the module. One message per problem, naming {@code bootstrap_extensions[i]}.
   */
  public static List<String> validate(Bootstrap bootstrap, UnaryOperator<Any> normalizer) {
    List<String> errors = new ArrayList<>();
    forEachService(bootstrap, normalizer, (i, proto) -> {
      try {
        WasmFilterConfig c = WasmFilterConfig.parsePlugin(proto.getConfig(), WasmFilterConfig.NO_REMOTE,
            System::getenv);
        WasmModule.load(c.plugin().code(), c.plugin().limits().maxMemoryPages());
      } catch (FilterConfigException e) {
        errors.add(where(i) + e.getMessage());
      } catch (WasmException e) {
        errors.add(where(i) + WasmHost.message(proto.getConfig().getName(), e.getMessage()));
      }
    }, errors);
    return errors;
  }

  /**
   * Starts every Wasm service of the bootstrap, in order, each with its VMs running before this
   * returns.
   *
   * @throws FilterConfigException naming {@code bootstrap_extensions[i]} and the problem; the
   *     services started before it are stopped
   */
  public static WasmServices start(Bootstrap bootstrap, UnaryOperator<Any> normalizer, WasmHost host)
      throws FilterConfigException {
    List<Service> services = new ArrayList<>();
    List<WasmHost.SharedPlugin> held = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    forEachService(bootstrap, normalizer, (i, proto) -> {
      if (!errors.isEmpty()) {
        return;
      }
      try {
        WasmFilterConfig c = WasmFilterConfig.parsePlugin(proto.getConfig(), host.remoteCode()::fetch, System::getenv);
        WasmHost.SharedPlugin shared = host.acquireService(c, proto.getSingleton());
        held.add(shared);
        services.add(new Service(c.plugin().name(), proto.getSingleton(), shared.plugin));
        LOG.log(System.Logger.Level.INFO, "wasm service {0} started ({1})", c.plugin().name(),
            proto.getSingleton() ? "singleton, on the service thread" : "one VM per worker loop");
      } catch (FilterConfigException e) {
        errors.add(where(i) + e.getMessage());
      }
    }, errors);
    if (!errors.isEmpty()) {
      held.forEach(WasmHost.SharedPlugin::release);
      throw new FilterConfigException(String.join("\n", errors));
    }
    return new WasmServices(services, held);
  }

  private interface ServiceAction {
    void accept(int index, WasmService proto);
  }

  private static void forEachService(Bootstrap bootstrap, UnaryOperator<Any> normalizer, ServiceAction action,
      List<String> errors) {
    for (int i = 0; i < bootstrap.getBootstrapExtensionsCount(); i++) {
      TypedExtensionConfig e = bootstrap.getBootstrapExtensions(i);
      Any any = normalizer.apply(e.getTypedConfig());
      if (!any.getTypeUrl().equals(TYPE_URL)) {
        continue;
      }
      WasmService proto;
      try {
        proto = any.unpack(WasmService.class);
      } catch (InvalidProtocolBufferException ex) {
        errors.add(where(i) + "typed_config: " + ex.getMessage());
        continue;
      }
      action.accept(i, proto);
    }
  }

  private static String where(int i) {
    return "bootstrap_extensions[" + i + "]: ";
  }

  /** The running services, in bootstrap order. */
  public List<Service> services() {
    return services;
  }

  /** Stops the services (their VMs end their root contexts on their loops). */
  public void close() {
    held.forEach(WasmHost.SharedPlugin::release);
  }
}
