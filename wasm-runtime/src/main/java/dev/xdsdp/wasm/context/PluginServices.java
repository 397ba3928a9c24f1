package dev.xdsdp.wasm.context;

import dev.xdsdp.api.stats.StatsScope;
import dev.xdsdp.wasm.abi.host.ForeignFunctions;
import dev.xdsdp.wasm.limits.CpuWatchdog;
import dev.xdsdp.wasm.metrics.PluginStats;
import dev.xdsdp.wasm.metrics.RuntimeStats;
import dev.xdsdp.wasm.module.WasmModule;
import dev.xdsdp.wasm.plugin.PluginConfig;
import dev.xdsdp.wasm.shared.SharedDataStore;
import dev.xdsdp.wasm.shared.SharedQueueRegistry;
import dev.xdsdp.wasm.vm.CompiledModule;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.security.SecureRandom;

/**
 * Everything a VM instance of one plugin needs besides its event loop, shared by all of the
 * plugin's replicas. Immutable; the parts it points to are thread-safe.
 *
 * @param customMetrics the scope where metrics a module defines ({@code proxy_define_metric}) are
 *     made, under their own names as Envoy shows them
 */
public record PluginServices(
    PluginConfig config,
    WasmModule module,
    CompiledModule compiled,
    PluginStats stats,
    RuntimeStats runtimeStats,
    CpuWatchdog watchdog,
    SharedDataStore sharedData,
    SharedQueueRegistry queues,
    CalloutHost callouts,
    PropertyHost rootProperties,
    Node node,
    WasmLogSink log,
    StatsScope customMetrics,
    ForeignFunctions foreignFunctions,
    SecureRandom random) {}
