package dev.xdsdp.wasm.plugin;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One Wasm plugin, as the data plane resolves it from Envoy's
 * {@code envoy.extensions.wasm.v3.PluginConfig}: the code is already fetched and the
 * configuration {@code Any}s are already turned into bytes (a {@code StringValue} or
 * {@code BytesValue} unwrapped, a {@code Struct} as JSON, anything else serialized).
 *
 * <p>The byte arrays are not copied; callers must not change them after building the config.
 *
 * @param name {@code PluginConfig.name}: {@code plugin_name} property, stats prefix {@code wasm.<name>.}
 * @param rootId {@code PluginConfig.root_id}: selects the root context inside the module
 * @param vmId {@code VmConfig.vm_id}: scope of shared data and queues
 * @param runtime {@code VmConfig.runtime}, e.g. {@code envoy.wasm.runtime.v8}; names the runtime stats
 * @param code the module bytes
 * @param vmConfiguration the {@code VM_CONFIGURATION} buffer ({@code proxy_on_vm_start})
 * @param pluginConfiguration the {@code PLUGIN_CONFIGURATION} buffer ({@code proxy_on_configure})
 * @param environmentVariables what WASI {@code environ_get} shows, in order; never the JVM's
 * @param failurePolicy what streams get when the VM fails
 * @param allowOnHeadersStopIteration pass a headers callback's StopIteration through instead of
 *     turning it into StopAllIteration (Envoy's {@code allow_on_headers_stop_iteration})
 * @param limits memory and CPU limits
 * @param reloadBackoff base delay before a failed VM replica is rebuilt (jittered, doubling per
 *     consecutive failure up to 30 times the base); Envoy's default is 1 s
 * @param allowedCapabilities if not empty, only these hostcalls are linked to real implementations;
 *     the others return an error ({@code capability_restriction_config})
 */
public record PluginConfig(
    String name,
    String rootId,
    String vmId,
    String runtime,
    byte[] code,
    byte[] vmConfiguration,
    byte[] pluginConfiguration,
    Map<String, String> environmentVariables,
    FailurePolicy failurePolicy,
    boolean allowOnHeadersStopIteration,
    VmLimits limits,
    Duration reloadBackoff,
    Set<String> allowedCapabilities) {

  public static final String DEFAULT_RUNTIME = "envoy.wasm.runtime.v8";

  public PluginConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(rootId, "rootId");
    Objects.requireNonNull(vmId, "vmId");
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(vmConfiguration, "vmConfiguration");
    Objects.requireNonNull(pluginConfiguration, "pluginConfiguration");
    environmentVariables = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environmentVariables));
    Objects.requireNonNull(failurePolicy, "failurePolicy");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(reloadBackoff, "reloadBackoff");
    allowedCapabilities = Set.copyOf(allowedCapabilities);
  }

  public static Builder builder(String name, byte[] code) {
    return new Builder(name, code);
  }

  public Builder toBuilder() {
    Builder b = new Builder(name, code);
    b.rootId = rootId;
    b.vmId = vmId;
    b.runtime = runtime;
    b.vmConfiguration = vmConfiguration;
    b.pluginConfiguration = pluginConfiguration;
    b.environmentVariables = new LinkedHashMap<>(environmentVariables);
    b.failurePolicy = failurePolicy;
    b.allowOnHeadersStopIteration = allowOnHeadersStopIteration;
    b.limits = limits;
    b.reloadBackoff = reloadBackoff;
    b.allowedCapabilities = allowedCapabilities;
    return b;
  }

  /** Builds a {@link PluginConfig} with Envoy's defaults for what is not set. */
  public static final class Builder {
    private final String name;
    private final byte[] code;
    private String rootId = "";
    private String vmId = "";
    private String runtime = DEFAULT_RUNTIME;
    private byte[] vmConfiguration = new byte[0];
    private byte[] pluginConfiguration = new byte[0];
    private Map<String, String> environmentVariables = new LinkedHashMap<>();
    private FailurePolicy failurePolicy = FailurePolicy.FAIL_CLOSED;
    private boolean allowOnHeadersStopIteration;
    private VmLimits limits = VmLimits.DEFAULT;
    private Duration reloadBackoff = Duration.ofSeconds(1);
    private Set<String> allowedCapabilities = Set.of();

    private Builder(String name, byte[] code) {
      this.name = name;
      this.code = code;
    }

    public Builder rootId(String v) {
      rootId = v;
      return this;
    }

    public Builder vmId(String v) {
      vmId = v;
      return this;
    }

    public Builder runtime(String v) {
      runtime = v;
      return this;
    }

    public Builder vmConfiguration(byte[] v) {
      vmConfiguration = v;
      return this;
    }

    public Builder vmConfiguration(String v) {
      return vmConfiguration(v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public Builder pluginConfiguration(byte[] v) {
      pluginConfiguration = v;
      return this;
    }

    public Builder pluginConfiguration(String v) {
      return pluginConfiguration(v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public Builder environmentVariable(String key, String value) {
      environmentVariables.put(key, value);
      return this;
    }

    public Builder failurePolicy(FailurePolicy v) {
      failurePolicy = v;
      return this;
    }

    public Builder allowOnHeadersStopIteration(boolean v) {
      allowOnHeadersStopIteration = v;
      return this;
    }

    public Builder limits(VmLimits v) {
      limits = v;
      return this;
    }

    public Builder reloadBackoff(Duration v) {
      reloadBackoff = v;
      return this;
    }

    public Builder allowedCapabilities(Set<String> v) {
      allowedCapabilities = v;
      return this;
    }

    public PluginConfig build() {
      return new PluginConfig(
          name, rootId, vmId, runtime, code, vmConfiguration, pluginConfiguration, environmentVariables,
          failurePolicy, allowOnHeadersStopIteration, limits, reloadBackoff, allowedCapabilities);
    }
  }
}
