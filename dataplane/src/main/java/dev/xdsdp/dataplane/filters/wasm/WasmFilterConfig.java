package dev.xdsdp.dataplane.filters.wasm;

import com.google.protobuf.Any;
import com.google.protobuf.BytesValue;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import com.google.protobuf.Struct;
import dev.xdsdp.api.filter.FilterConfigException;
import dev.xdsdp.wasm.plugin.FailurePolicy;
import dev.xdsdp.wasm.plugin.PluginConfig;
import io.envoyproxy.envoy.config.core.v3.AsyncDataSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.RemoteDataSource;
import io.envoyproxy.envoy.extensions.filters.http.wasm.v3.Wasm;
import io.envoyproxy.envoy.extensions.wasm.v3.EnvironmentVariables;
import io.envoyproxy.envoy.extensions.wasm.v3.VmConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A parsed {@code envoy.extensions.filters.http.wasm.v3.Wasm}: the runtime's {@link PluginConfig}
 * with the code read (or fetched) and the configuration {@code Any}s turned into the bytes the module
 * reads, as Envoy's {@code WasmConfig} and {@code PluginConfig} do.
 *
 * @param plugin what the runtime needs to load and run the plugin
 * @param codeSource where the code came from, for logs: a path, {@code <inline>}, or a URI
 */
public record WasmFilterConfig(PluginConfig plugin, String codeSource) {

  private static final System.Logger LOG = System.getLogger("wasm");

  /** Envoy's Wasm runtime extension names; all of them run on GraalWasm here. */
  static final Set<String> RUNTIMES = Set.of(
      "envoy.wasm.runtime.v8", "envoy.wasm.runtime.wasmtime", "envoy.wasm.runtime.wamr", "envoy.wasm.runtime.null");

  static final String NULL_RUNTIME = "envoy.wasm.runtime.null";

  /** Fetches {@code code.remote}; the filter factory fetches through the cluster manager. */
  @FunctionalInterface
  interface RemoteCode {
    byte[] fetch(RemoteDataSource remote) throws FilterConfigException;
  }

  /** Fetches nothing: remote code is refused (where there is no cluster manager, e.g. validation). */
  static final RemoteCode NO_REMOTE = remote -> {
    throw new FilterConfigException("config.vm_config.code.remote: remote code cannot be fetched here");
  };

  /**
   * Validates {@code proto} and resolves its code.
   *
   * @param env the process environment ({@code host_env_keys} are looked up here)
   * @throws FilterConfigException {@code Unable to create Wasm plugin <name>: <field>: <problem>}
   */
  static WasmFilterConfig parse(Wasm proto, RemoteCode remote, Function<String, String> env)
      throws FilterConfigException {
    return parsePlugin(proto.getConfig(), remote, env);
  }

  /**
   * Validates a {@code PluginConfig} (of any of the four Wasm extensions: HTTP filter, network
   * filter, access logger, service) and resolves its code.
   *
   * @throws FilterConfigException {@code Unable to create Wasm plugin <name>: <field>: <problem>}
   */
  static WasmFilterConfig parsePlugin(io.envoyproxy.envoy.extensions.wasm.v3.PluginConfig pc, RemoteCode remote,
      Function<String, String> env) throws FilterConfigException {
    String name = pc.getName();
    try {
      return parse(pc, remote, env);
    } catch (FilterConfigException e) {
      throw new FilterConfigException(prefix(name) + e.getMessage(), e.getCause());
    }
  }

  /** Envoy's wording for a plugin that cannot be built, naming the plugin. */
  static String prefix(String pluginName) {
    return "Unable to create Wasm plugin" + (pluginName.isEmpty() ? "" : " " + pluginName) + ": ";
  }

  private static WasmFilterConfig parse(
      io.envoyproxy.envoy.extensions.wasm.v3.PluginConfig pc, RemoteCode remote, Function<String, String> env)
      throws FilterConfigException {
    if (!pc.hasVmConfig()) {
      throw new FilterConfigException("config.vm_config: required");
    }
    VmConfig vm = pc.getVmConfig();
    String runtime = vm.getRuntime().isEmpty() ? PluginConfig.DEFAULT_RUNTIME : vm.getRuntime();
    if (!RUNTIMES.contains(runtime)) {
      throw new FilterConfigException("config.vm_config.runtime: unknown Wasm runtime '" + runtime
          + "' (one of envoy.wasm.runtime.v8, envoy.wasm.runtime.wasmtime, envoy.wasm.runtime.wamr, "
          + "envoy.wasm.runtime.null)");
    }
    FailurePolicy policy = failurePolicy(pc);
    Map<String, String> envs = environment(pc, runtime, env);
    byte[] vmConfiguration = configurationBytes(vm.getConfiguration(), "config.vm_config.configuration");
    byte[] pluginConfiguration = configurationBytes(pc.getConfiguration(), "config.configuration");
    String[] source = new String[1];
    byte[] code = code(vm.getCode(), remote, source);
    if (code.length == 0) {
      throw new FilterConfigException("config.vm_config.code: the Wasm code is empty");
    }
    Duration backoff = Duration.ofSeconds(1);
    if (pc.getReloadConfig().getBackoff().hasBaseInterval()) {
      var d = pc.getReloadConfig().getBackoff().getBaseInterval();
      backoff = Duration.ofSeconds(d.getSeconds(), d.getNanos());
      if (backoff.isZero() || backoff.isNegative()) {
        throw new FilterConfigException("config.reload_config.backoff.base_interval: must be greater than 0");
      }
    }
    Set<String> capabilities = new LinkedHashSet<>(pc.getCapabilityRestrictionConfig().getAllowedCapabilitiesMap().keySet());
    PluginConfig.Builder b = PluginConfig.builder(pc.getName(), code)
        .rootId(pc.getRootId())
        .vmId(vm.getVmId())
        .runtime(runtime)
        .vmConfiguration(vmConfiguration)
        .pluginConfiguration(pluginConfiguration)
        .failurePolicy(policy)
        .allowOnHeadersStopIteration(allowOnHeadersStopIteration(pc))
        .reloadBackoff(backoff)
        .allowedCapabilities(capabilities);
    envs.forEach(b::environmentVariable);
    // Envoy would pick the named engine; every one of them is GraalWasm here, so say it once per config.
    LOG.log(System.Logger.Level.INFO, "wasm plugin {0}: runtime {1} runs on GraalWasm",
        pc.getName().isEmpty() ? "(unnamed)" : pc.getName(), runtime);
    return new WasmFilterConfig(b.build(), source[0]);
  }

  /** Field 9 of {@code PluginConfig}, newer than the generated protos: read from the unknown fields. */
  static final int ALLOW_ON_HEADERS_STOP_ITERATION = 9;

  /** {@code allow_on_headers_stop_iteration} ({@code google.protobuf.BoolValue}), false when unset. */
  static boolean allowOnHeadersStopIteration(io.envoyproxy.envoy.extensions.wasm.v3.PluginConfig pc)
      throws FilterConfigException {
    var field = pc.getUnknownFields().getField(ALLOW_ON_HEADERS_STOP_ITERATION);
    if (field == null || field.getLengthDelimitedList().isEmpty()) {
      return false;
    }
    try {
      return com.google.protobuf.BoolValue.parseFrom(field.getLengthDelimitedList().getLast()).getValue();
    } catch (InvalidProtocolBufferException e) {
      throw new FilterConfigException("config.allow_on_headers_stop_iteration: not a BoolValue");
    }
  }

  /** {@code fail_open} (legacy) or {@code failure_policy}; Envoy refuses both at once. */
  static FailurePolicy failurePolicy(io.envoyproxy.envoy.extensions.wasm.v3.PluginConfig pc)
      throws FilterConfigException {
    var p = pc.getFailurePolicy();
    if (pc.getFailOpen()) {
      if (p != io.envoyproxy.envoy.extensions.wasm.v3.FailurePolicy.UNSPECIFIED) {
        throw new FilterConfigException("only one of fail_open or failure_policy can be set");
      }
      return FailurePolicy.FAIL_OPEN;
    }
    return switch (p) {
      case UNSPECIFIED, FAIL_CLOSED -> FailurePolicy.FAIL_CLOSED;
      case FAIL_OPEN -> FailurePolicy.FAIL_OPEN;
      case FAIL_RELOAD -> FailurePolicy.FAIL_RELOAD;
      default -> throw new FilterConfigException("config.failure_policy: unknown failure policy " + pc.getFailurePolicyValue());
    };
  }

  /** Envoy's merge of {@code key_values} and {@code host_env_keys} (a key in both is an error). */
  private static Map<String, String> environment(
      io.envoyproxy.envoy.extensions.wasm.v3.PluginConfig pc, String runtime, Function<String, String> env)
      throws FilterConfigException {
    Map<String, String> out = new LinkedHashMap<>();
    if (!pc.getVmConfig().hasEnvironmentVariables()) {
      return out;
    }
    EnvironmentVariables ev = pc.getVmConfig().getEnvironmentVariables();
    if (runtime.equals(NULL_RUNTIME) && ev.getKeyValuesCount() > 0) {
      throw new FilterConfigException(
          "envoy.extensions.wasm.v3.VmConfig.EnvironmentVariables.key_values must not be set for NullVm.");
    }
    Set<String> keys = new LinkedHashSet<>(ev.getKeyValuesMap().keySet());
    for (String key : ev.getHostEnvKeysList()) {
      if (!keys.add(key)) {
        throw new FilterConfigException("Key " + key + " is duplicated in "
            + "envoy.extensions.wasm.v3.VmConfig.environment_variables for " + pc.getName()
            + ". All the keys must be unique.");
      }
    }
    new java.util.TreeMap<>(ev.getKeyValuesMap()).forEach(out::put);
    for (String key : ev.getHostEnvKeysList()) {
      String value = env.apply(key);
      if (value != null) {
        out.put(key, value);
      }
    }
    return out;
  }

  /**
   * Envoy's {@code MessageUtil::anyToBytes}: a {@code StringValue} or {@code BytesValue} without its
   * wrapper, a {@code Struct} as JSON, anything else as its serialized bytes; unset is empty.
   */
  static byte[] configurationBytes(Any any, String field) throws FilterConfigException {
    if (any.getTypeUrl().isEmpty() && any.getValue().isEmpty()) {
      return new byte[0];
    }
    try {
      if (any.is(StringValue.class)) {
        return any.unpack(StringValue.class).getValue().getBytes(StandardCharsets.UTF_8);
      }
      if (any.is(BytesValue.class)) {
        return any.unpack(BytesValue.class).getValue().toByteArray();
      }
      if (any.is(Struct.class)) {
        return StructJson.print(any.unpack(Struct.class)).getBytes(StandardCharsets.UTF_8);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new FilterConfigException(field + ": cannot decode " + any.getTypeUrl() + ": " + e.getMessage(), e);
    }
    return any.getValue().toByteArray();
  }

  private static byte[] code(AsyncDataSource code, RemoteCode remote, String[] source) throws FilterConfigException {
    switch (code.getSpecifierCase()) {
      case LOCAL -> {
        return local(code.getLocal(), source);
      }
      case REMOTE -> {
        RemoteDataSource r = code.getRemote();
        String where = "config.vm_config.code.remote";
        if (r.getHttpUri().getUri().isEmpty()) {
          throw new FilterConfigException(where + ".http_uri.uri: required");
        }
        if (r.getHttpUri().getCluster().isEmpty()) {
          throw new FilterConfigException(where + ".http_uri.cluster: required");
        }
        if (!r.getHttpUri().hasTimeout()) {
          throw new FilterConfigException(where + ".http_uri.timeout: required");
        }
        if (r.getSha256().isEmpty()) {
          throw new FilterConfigException(where + ".sha256: required");
        }
        source[0] = r.getHttpUri().getUri();
        return remote.fetch(r);
      }
      default -> throw new FilterConfigException("config.vm_config.code: one of local or remote is required");
    }
  }

  private static byte[] local(DataSource ds, String[] source) throws FilterConfigException {
    String where = "config.vm_config.code.local";
    switch (ds.getSpecifierCase()) {
      case FILENAME -> {
        source[0] = ds.getFilename();
        try {
          return Files.readAllBytes(Path.of(ds.getFilename()));
        } catch (NoSuchFileException e) {
          throw new FilterConfigException(where + ".filename: cannot read '" + ds.getFilename() + "': no such file");
        } catch (IOException | RuntimeException e) {
          throw new FilterConfigException(where + ".filename: cannot read '" + ds.getFilename() + "': " + e.getMessage(), e);
        }
      }
      case INLINE_BYTES -> {
        source[0] = "<inline>";
        return ds.getInlineBytes().toByteArray();
      }
      case INLINE_STRING -> {
        source[0] = "<inline>";
        return ds.getInlineString().getBytes(StandardCharsets.UTF_8);
      }
      case ENVIRONMENT_VARIABLE -> {
        source[0] = "$" + ds.getEnvironmentVariable();
        String v = System.getenv(ds.getEnvironmentVariable());
        if (v == null) {
          throw new FilterConfigException(where + ".environment_variable: " + ds.getEnvironmentVariable() + " is not set");
        }
        return v.getBytes(StandardCharsets.UTF_8);
      }
      default -> throw new FilterConfigException(where + ": one of filename, inline_bytes, inline_string or "
          + "environment_variable is required");
    }
  }
}
