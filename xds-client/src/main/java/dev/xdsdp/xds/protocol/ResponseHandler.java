package dev.xdsdp.xds.protocol;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.List;
import java.util.Map;

/**
 * What {@link ControlPlaneClient} needs from the layer above: somebody to apply responses and to
 * say what is subscribed. Every method runs on the xDS context.
 */
public interface ResponseHandler {

  /**
   * Applies a state-of-the-world response.
   *
   * @return null to ACK it, or the NACK's error message (naming the resources and fields)
   */
  String handleSotw(String typeUrl, String versionInfo, List<Any> resources);

  /**
   * Applies an incremental response.
   *
   * @return null to ACK it, or the NACK's error message
   */
  String handleDelta(String typeUrl, String systemVersionInfo, List<Resource> resources, List<String> removed);

  /** The stream failed or was closed by the server; a new one follows after a backoff. */
  void onStreamFailure(Throwable error);

  /** What is subscribed for a type now, or null for nothing. */
  Subscription subscription(String typeUrl);

  /** The versions of the resources of a type the client holds (delta's {@code initial_resource_versions}). */
  Map<String, String> resourceVersions(String typeUrl);
}
