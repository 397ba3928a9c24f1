package dev.xdsdp.wasm.testing;

import dev.xdsdp.api.http.BodyBuffer;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.wasm.abi.BufferType;
import dev.xdsdp.wasm.abi.StreamType;
import dev.xdsdp.wasm.context.NetworkStreamHost;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link NetworkStreamHost} over two plain buffers that records what the module asked for
 * (continues, closes). Fields are public for setup and checks.
 */
public final class TestNetworkHost implements NetworkStreamHost {

  public BodyBuffer downstream;
  public BodyBuffer upstream;
  public final TestStreamInfo info = new TestStreamInfo();
  public final List<StreamType> continued = new CopyOnWriteArrayList<>();
  public final List<StreamType> closed = new CopyOnWriteArrayList<>();

  @Override
  public BodyBuffer body(BufferType type) {
    return switch (type) {
      case DOWNSTREAM_DATA -> downstream;
      case UPSTREAM_DATA -> upstream;
      default -> null;
    };
  }

  @Override
  public StreamInfo streamInfo() {
    return info;
  }

  @Override
  public void continueStream(StreamType type) {
    continued.add(type);
  }

  @Override
  public void closeStream(StreamType type) {
    closed.add(type);
  }
}
