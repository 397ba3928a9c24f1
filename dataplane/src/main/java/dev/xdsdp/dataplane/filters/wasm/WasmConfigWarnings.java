package dev.xdsdp.dataplane.filters.wasm;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.wasm.WasmException;
import dev.xdsdp.wasm.module.ModuleInfo;
import dev.xdsdp.wasm.module.WasmModule;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.access_loggers.wasm.v3.WasmAccessLog;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.wasm.v3.PluginConfig;
import io.envoyproxy.envoy.extensions.wasm.v3.WasmService;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What {@code --mode validate} warns about in a bootstrap's Wasm configs: things Envoy accepts, so
 * the config stays valid, but that rarely mean what they say (a running data plane logs the same
 * when it meets them). Two today: plugins that reuse a vm_id with different code (they get
 * separate VMs but share that vm_id's shared data and queues), and a module that registers shared
 * queues without exporting {@code proxy_on_queue_ready} (nothing announces what is enqueued).
 * Static resources and {@code bootstrap_extensions} only; code that needs fetching is skipped.
 */
public final class WasmConfigWarnings {

  /** One plugin config and where it is. */
  private record Use(String where, PluginConfig proto) {}

  private WasmConfigWarnings() {}

  /** One line per warning, each naming where in the bootstrap. */
  public static List<String> of(Bootstrap bootstrap, UnaryOperator<Any> normalizer) {
    List<Use> uses = new ArrayList<>();
    for (int i = 0; i < bootstrap.getBootstrapExtensionsCount(); i++) {
      WasmService service = unpack(normalizer.apply(bootstrap.getBootstrapExtensions(i).getTypedConfig()), WasmService.class);
      if (service != null) {
        uses.add(new Use("bootstrap_extensions[" + i + "]", service.getConfig()));
      }
    }
    for (Listener l : bootstrap.getStaticResources().getListenersList()) {
      for (int c = 0; c < l.getFilterChainsCount(); c++) {
        collect(l.getFilterChains(c), "listener " + l.getName() + ": filter_chains[" + c + "]", normalizer, uses);
      }
      if (l.hasDefaultFilterChain()) {
        collect(l.getDefaultFilterChain(), "listener " + l.getName() + ": default_filter_chain", normalizer, uses);
      }
    }

    List<String> warnings = new ArrayList<>();
    Map<String, Use> firstOfVmId = new LinkedHashMap<>();
    Map<String, String> firstSha = new LinkedHashMap<>();
    Set<String> queueChecked = new HashSet<>();
    for (Use u : uses) {
      WasmFilterConfig parsed;
      try {
        parsed = WasmFilterConfig.parsePlugin(u.proto(), WasmFilterConfig.NO_REMOTE, System::getenv);
      } catch (FilterConfigException | RuntimeException e) {
        continue; // remote code, or a config error reported elsewhere
      }
      byte[] code = parsed.plugin().code();
      String sha = WasmModule.sha256(code);
      String vmId = parsed.plugin().vmId();
      Use first = firstOfVmId.putIfAbsent(vmId, u);
      if (first != null && !firstSha.get(vmId).equals(sha)) {
        warnings.add(u.where() + ": wasm plugin " + u.proto().getName() + " reuses vm_id '" + vmId + "' of plugin "
            + first.proto().getName() + " (" + first.where() + ") with different code: as in Envoy they get separate"
            + " VMs but share the vm_id's shared data and queues; give each module its own vm_id unless that is meant");
      }
      firstSha.putIfAbsent(vmId, sha);
      if (queueChecked.add(sha)) {
        String queue = queueWarning(code, parsed.plugin().limits().maxMemoryPages());
        if (queue != null) {
          warnings.add(u.where() + ": wasm plugin " + u.proto().getName() + ": " + queue);
        }
      }
    }
    return warnings;
  }

  private static void collect(FilterChain chain, String where, UnaryOperator<Any> normalizer, List<Use> uses) {
    for (int f = 0; f < chain.getFiltersCount(); f++) {
      Filter filter = chain.getFilters(f);
      String at = where + ".filters[" + f + "]";
      Any any = normalizer.apply(filter.getTypedConfig());
      var network = unpack(any, io.envoyproxy.envoy.extensions.filters.network.wasm.v3.Wasm.class);
      if (network != null) {
        uses.add(new Use(at, network.getConfig()));
        continue;
      }
      HttpConnectionManager hcm = unpack(any, HttpConnectionManager.class);
      if (hcm != null) {
        for (int h = 0; h < hcm.getHttpFiltersCount(); h++) {
          HttpFilter hf = hcm.getHttpFilters(h);
          Any filterAny = normalizer.apply(hf.getTypedConfig());
          var wasm = unpack(filterAny, io.envoyproxy.envoy.extensions.filters.http.wasm.v3.Wasm.class);
          if (wasm != null) {
            uses.add(new Use(at + ".http_filters[" + h + "]", wasm.getConfig()));
          }
        }
        accessLogs(hcm.getAccessLogList(), at, normalizer, uses);
        continue;
      }
      TcpProxy tcp = unpack(any, TcpProxy.class);
      if (tcp != null) {
        accessLogs(tcp.getAccessLogList(), at, normalizer, uses);
      }
    }
  }

  private static void accessLogs(List<AccessLog> logs, String where, UnaryOperator<Any> normalizer, List<Use> uses) {
    for (int a = 0; a < logs.size(); a++) {
      WasmAccessLog log = unpack(normalizer.apply(logs.get(a).getTypedConfig()), WasmAccessLog.class);
      if (log != null) {
        uses.add(new Use(where + ".access_log[" + a + "]", log.getConfig()));
      }
    }
  }

  /** The message when the module registers shared queues but cannot hear about their items. */
  private static String queueWarning(byte[] code, long maxMemoryPages) {
    ModuleInfo info;
    try {
      info = WasmModule.load(code, maxMemoryPages).info();
    } catch (WasmException e) {
      return null; // reported as an error elsewhere
    }
    boolean registers = info.imports().stream().anyMatch(i -> i.name().equals("proxy_register_shared_queue"));
    if (!registers || info.function("proxy_on_queue_ready") != null) {
      return null;
    }
    return "the module can register shared queues (it imports proxy_register_shared_queue) but does not export"
        + " proxy_on_queue_ready: items enqueued there are never announced to it";
  }

  private static <T extends Message> T unpack(Any any, Class<T> type) {
    try {
      return any.is(type) ? any.unpack(type) : null;
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }
}
