package dev.xdsdp.wasm.plugin;

import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.wasm.context.CalloutHost;
import dev.xdsdp.wasm.context.PropertyHost;
import dev.xdsdp.wasm.context.WasmLogSink;

/**
 * What the data plane supplies to a plugin besides its config.
 *
 * @param callouts where {@code proxy_http_call} and the gRPC calls go (the cluster manager)
 * @param rootProperties property overrides seen by the root context (e.g. listener facts)
 * @param log where module logs go, or null for the {@code wasm} logger in Envoy's format
 * @param customMetrics where module-defined metrics are made, or null for the runtime's root scope
 */
public record PluginEnvironment(
    CalloutHost callouts, PropertyHost rootProperties, WasmLogSink log, StatsScope customMetrics) {

  public PluginEnvironment {
    callouts = callouts == null ? CalloutHost.NONE : callouts;
    rootProperties = rootProperties == null ? PropertyHost.NONE : rootProperties;
  }

  /** No clusters, no extra properties, the default log and metrics. */
  public static final PluginEnvironment DEFAULT = new PluginEnvironment(null, null, null, null);

  public PluginEnvironment withCallouts(CalloutHost c) {
    return new PluginEnvironment(c, rootProperties, log, customMetrics);
  }

  public PluginEnvironment withLog(WasmLogSink l) {
    return new PluginEnvironment(callouts, rootProperties, l, customMetrics);
  }

  public PluginEnvironment withRootProperties(PropertyHost p) {
    return new PluginEnvironment(callouts, p, log, customMetrics);
  }
}
