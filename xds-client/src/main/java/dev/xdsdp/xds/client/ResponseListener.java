package dev.xdsdp.xds.client;

import dev.xdsdp.xds.resource.XdsResourceType;
import java.util.Map;
import java.util.Set;

/**
 * Observes what the client did with each response, for Envoy's subscription stats. Called on the
 * xDS context after the watchers.
 */
public interface ResponseListener {

  /**
   * @param version the response's {@code version_info} (delta: {@code system_version_info})
   * @param accepted names applied from this response (changed or not)
   * @param changed the subset of {@code accepted} whose content changed
   * @param rejected names whose update was rejected, with why
   * @param absent subscribed names a state-of-the-world response did not carry
   * @param nackError the NACK message, or null when the response was ACKed
   */
  void onResponse(XdsResourceType<?> type, String version, Set<String> accepted, Set<String> changed,
      Map<String, String> rejected, Set<String> absent, String nackError);

  /** A subscription's {@code initial_fetch_timeout} passed; {@code name} is null for a wildcard one. */
  void onFetchTimeout(XdsResourceType<?> type, String name);

  /** The ADS stream failed. */
  void onStreamFailure();

  ResponseListener NONE = new ResponseListener() {
    @Override
    public void onResponse(XdsResourceType<?> type, String version, Set<String> accepted, Set<String> changed,
        Map<String, String> rejected, Set<String> absent, String nackError) {}

    @Override
    public void onFetchTimeout(XdsResourceType<?> type, String name) {}

    @Override
    public void onStreamFailure() {}
  };
}
