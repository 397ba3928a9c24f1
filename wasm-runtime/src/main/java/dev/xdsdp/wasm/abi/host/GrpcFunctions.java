package dev.xdsdp.wasm.abi.host;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.wasm.abi.WasmResult;
import dev.xdsdp.wasm.abi.memory.PairsCodec;
import dev.xdsdp.wasm.context.CalloutHost;
import dev.xdsdp.wasm.context.RootContext;
import dev.xdsdp.wasm.context.WasmInstance;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import java.util.List;
import java.util.Map;

/**
 * The gRPC hostcalls. The upstream is a serialized {@code envoy.config.core.v3.GrpcService} or a
 * cluster name (Envoy tries the message first). Unary calls get odd tokens, streams even ones, so
 * {@code proxy_grpc_send} can tell a call from a stream. The solo-io AssemblyScript SDK's shorter
 * {@code proxy_grpc_call}/{@code proxy_grpc_stream} without initial metadata are accepted too.
 */
final class GrpcFunctions extends AbiFunctions {

  GrpcFunctions(WasmInstance instance) {
    super(instance);
  }

  @Override
  void register(HostFunctions.Registrar r) {
    r.env("proxy_grpc_call", this::grpcCall);
    r.env("proxy_grpc_stream", this::grpcStream);
    r.env("proxy_grpc_send", a -> send(a[0], a[1], a[2], a[3]));
    r.env("proxy_grpc_cancel", a -> cancel(a[0]));
    r.env("proxy_grpc_close", a -> close(a[0]));
  }

  /** Where a call goes: a full GrpcService or a cluster name. */
  private record Target(String cluster, GrpcService service) {}

  private Target target(long ptr, long len) {
    byte[] raw = bytes(ptr, len);
    try {
      GrpcService s = GrpcService.parseFrom(raw);
      if (s.hasEnvoyGrpc() || s.hasGoogleGrpc()) {
        return new Target(s.hasEnvoyGrpc() ? s.getEnvoyGrpc().getClusterName() : null, s);
      }
    } catch (InvalidProtocolBufferException e) {
      // not a message: a cluster name
    }
    String cluster = new String(raw, java.nio.charset.StandardCharsets.UTF_8);
    return cluster.isEmpty() ? null : new Target(cluster, null);
  }

  private HeaderMap metadata(long ptr, long len) {
    List<Map.Entry<String, String>> pairs = PairsCodec.decode(bytes(ptr, len));
    return pairs == null ? null : HttpCallFunctions.toHeaderMap(pairs);
  }

  private long grpcCall(long[] a) {
    boolean full = a.length == 12;
    long initPtr = full ? a[6] : 0;
    long initLen = full ? a[7] : 0;
    int o = full ? 2 : 0;
    return startCall(a[0], a[1], a[2], a[3], a[4], a[5], initPtr, initLen, a[6 + o], a[7 + o], a[8 + o], a[9 + o], false);
  }

  private long grpcStream(long[] a) {
    boolean full = a.length == 9;
    long initPtr = full ? a[6] : 0;
    long initLen = full ? a[7] : 0;
    return startCall(a[0], a[1], a[2], a[3], a[4], a[5], initPtr, initLen, 0, 0, 0, full ? a[8] : a[6], true);
  }

  private long startCall(
      long upPtr, long upLen, long svcPtr, long svcLen, long mPtr, long mLen, long initPtr, long initLen,
      long msgPtr, long msgLen, long timeout, long tokenPtr, boolean stream) {
    RootContext root = root();
    if (root == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    Target target = target(upPtr, upLen);
    String service = string(svcPtr, svcLen);
    String method = string(mPtr, mLen);
    HeaderMap initial = metadata(initPtr, initLen);
    byte[] message = stream ? new byte[0] : bytes(msgPtr, msgLen);
    memory.check(u32(tokenPtr), 4);
    if (initial == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    if (target == null) {
      return code(WasmResult.PARSE_FAILURE);
    }
    int token = stream ? root.newGrpcStreamToken() : root.newGrpcCallToken();
    CalloutHost.GrpcCallRequest request =
        new CalloutHost.GrpcCallRequest(
            target.cluster(), target.service(), service, method, initial, message, u32(timeout), instance.loop());
    CalloutHost.GrpcCallbacks callbacks =
        new CalloutHost.GrpcCallbacks() {
          @Override
          public void onInitialMetadata(HeaderMap md) {
            instance.post(() -> instance.deliverGrpcInitialMetadata(root, token, md));
          }

          @Override
          public void onMessage(byte[] msg) {
            instance.post(() -> instance.deliverGrpcMessage(root, token, msg, !stream));
          }

          @Override
          public void onTrailingMetadata(HeaderMap md) {
            instance.post(() -> instance.deliverGrpcTrailingMetadata(root, token, md));
          }

          @Override
          public void onClose(int status, String msg) {
            instance.post(() -> instance.deliverGrpcClose(root, token, status, msg));
          }
        };
    CalloutHost host = instance.plugin().callouts();
    if (stream) {
      root.grpcStreams().put(token, NOOP_STREAM);
      CalloutHost.GrpcStream s = host.grpcStream(request, callbacks);
      if (s == null) {
        root.grpcStreams().remove(token);
        return code(WasmResult.PARSE_FAILURE);
      }
      root.grpcStreams().replace(token, s);
    } else {
      root.grpcCalls().put(token, () -> {});
      CalloutHost.Callout c = host.grpcCall(request, callbacks);
      if (c == null) {
        root.grpcCalls().remove(token);
        return code(WasmResult.PARSE_FAILURE);
      }
      root.grpcCalls().replace(token, c);
    }
    memory.writeI32(u32(tokenPtr), token);
    return OK;
  }

  private static final CalloutHost.GrpcStream NOOP_STREAM =
      new CalloutHost.GrpcStream() {
        @Override
        public void send(byte[] message, boolean endOfStream) {}

        @Override
        public void closeSend() {}

        @Override
        public void cancel() {}
      };

  private long send(long token, long ptr, long len, long endStream) {
    RootContext root = root();
    if (root == null) {
      return code(WasmResult.NOT_FOUND);
    }
    byte[] message = bytes(ptr, len);
    CalloutHost.GrpcStream s = root.grpcStreams().get((int) token);
    if (s == null) {
      return code(root.grpcCalls().containsKey((int) token) ? WasmResult.BAD_ARGUMENT : WasmResult.NOT_FOUND);
    }
    s.send(message, endStream != 0);
    return OK;
  }

  private long cancel(long token) {
    RootContext root = root();
    if (root == null) {
      return code(WasmResult.NOT_FOUND);
    }
    CalloutHost.Callout c = root.grpcCalls().remove((int) token);
    if (c == null) {
      c = root.grpcStreams().remove((int) token);
    }
    if (c == null) {
      return code(WasmResult.NOT_FOUND);
    }
    c.cancel();
    return OK;
  }

  private long close(long token) {
    RootContext root = root();
    if (root == null) {
      return code(WasmResult.NOT_FOUND);
    }
    CalloutHost.GrpcStream s = root.grpcStreams().get((int) token);
    if (s != null) {
      s.closeSend();
      return OK;
    }
    CalloutHost.Callout c = root.grpcCalls().remove((int) token);
    if (c == null) {
      return code(WasmResult.NOT_FOUND);
    }
    c.cancel();
    return OK;
  }
}
