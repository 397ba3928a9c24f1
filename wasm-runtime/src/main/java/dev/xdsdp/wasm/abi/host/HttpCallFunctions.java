package dev.xdsdp.wasm.abi.host;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.wasm.abi.WasmResult;
import dev.xdsdp.wasm.abi.memory.PairsCodec;
import dev.xdsdp.wasm.context.CalloutHost;
import dev.xdsdp.wasm.context.RootContext;
import dev.xdsdp.wasm.context.WasmInstance;
import java.util.List;
import java.util.Map;

/**
 * {@code proxy_http_call}: an asynchronous request to a cluster, owned by the root context of the
 * caller; the response reaches {@code proxy_on_http_call_response} on the root context id, on the
 * VM's loop, after the current VM call.
 */
final class HttpCallFunctions extends AbiFunctions {

  HttpCallFunctions(WasmInstance instance) {
    super(instance);
  }

  @Override
  void register(HostFunctions.Registrar r) {
    r.env("proxy_http_call", a -> httpCall(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]));
  }

  static HeaderMap toHeaderMap(List<Map.Entry<String, String>> pairs) {
    HeaderMap m = HeaderMap.create();
    for (Map.Entry<String, String> e : pairs) {
      m.add(e.getKey(), e.getValue());
    }
    return m;
  }

  private long httpCall(
      long upPtr, long upLen, long hdrPtr, long hdrLen, long bodyPtr, long bodyLen, long trlPtr, long trlLen,
      long timeout, long tokenPtr) {
    RootContext root = root();
    if (root == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    String cluster = string(upPtr, upLen);
    List<Map.Entry<String, String>> headerPairs = PairsCodec.decode(bytes(hdrPtr, hdrLen));
    byte[] body = bytes(bodyPtr, bodyLen);
    List<Map.Entry<String, String>> trailerPairs = PairsCodec.decode(bytes(trlPtr, trlLen));
    memory.check(u32(tokenPtr), 4);
    if (headerPairs == null || trailerPairs == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    HeaderMap headers = toHeaderMap(headerPairs);
    if (headers.method() == null || headers.path() == null || headers.authority() == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    int token = root.newHttpToken();
    CalloutHost.HttpCallRequest request =
        new CalloutHost.HttpCallRequest(cluster, headers, body, toHeaderMap(trailerPairs), u32(timeout), instance.loop());
    CalloutHost.HttpCallCallbacks callbacks =
        new CalloutHost.HttpCallCallbacks() {
          @Override
          public void onSuccess(CalloutHost.HttpCallResponse response) {
            instance.post(
                () ->
                    instance.deliverHttpCallResponse(
                        root, token, response.headers(), response.body(), response.trailers(), null));
          }

          @Override
          public void onFailure(String reason) {
            instance.post(() -> instance.deliverHttpCallResponse(root, token, null, null, null, reason));
          }
        };
    // Registered before the host sees the call: a completion is posted to the loop, so it runs
    // after this hostcall and finds the token.
    root.httpCalls().put(token, () -> {});
    CalloutHost.Callout callout;
    try {
      callout = instance.plugin().callouts().httpCall(request, callbacks);
    } catch (IllegalArgumentException e) {
      callout = null;
    }
    if (callout == null) {
      root.httpCalls().remove(token);
      return code(WasmResult.BAD_ARGUMENT);
    }
    root.httpCalls().put(token, callout);
    memory.writeI32(u32(tokenPtr), token);
    return OK;
  }
}
