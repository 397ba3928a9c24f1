package dev.xdsdp.wasm.plugin;

/**
 * What a stream gets when its plugin's VM has failed (Envoy's {@code PluginConfig.failure_policy}).
 * Whatever the policy, a failed VM replica is thrown away and rebuilt after a backoff.
 */
public enum FailurePolicy {
  /** Reply 503 with details {@code wasm_fail_stream} (gRPC UNAVAILABLE). Envoy's default. */
  FAIL_CLOSED,
  /** Skip the filter: the stream continues as if it were not configured. */
  FAIL_OPEN,
  /** Rebuild the VM; streams arriving before it is back get the fail-closed reply. */
  FAIL_RELOAD,
}
