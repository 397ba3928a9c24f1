package dev.xdsdp.xds.snapshot;

import com.google.protobuf.Message;
import java.time.Instant;

/**
 * What {@code /config_dump} shows for one dynamic resource (Envoy's {@code UpdateFailureState} and
 * {@code ClientResourceStatus}).
 *
 * @param typeUrl the resource type
 * @param version the version of the accepted resource ({@code version_info} for SotW, the resource
 *     version for delta), or empty
 * @param lastUpdated when the accepted resource arrived, or null
 * @param state where the resource stands
 * @param lastAccepted the accepted resource proto, or null
 * @param errorVersion the version of the last rejected update, or empty
 * @param errorDetails why it was rejected, or empty
 * @param errorTime when it was rejected, or null
 * @param rejected the rejected resource proto, or null
 */
public record ResourceStatus(
    String typeUrl,
    String name,
    String version,
    Instant lastUpdated,
    State state,
    Message lastAccepted,
    String errorVersion,
    String errorDetails,
    Instant errorTime,
    Message rejected) {

  /** Envoy's {@code ClientResourceStatus}. */
  public enum State {
    REQUESTED,
    DOES_NOT_EXIST,
    ACKED,
    NACKED,
  }
}
