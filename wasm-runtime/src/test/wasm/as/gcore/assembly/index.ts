// A test plugin on the G-Core AssemblyScript SDK (npm 1.2.3, ABI 0.2.1, WASI shim).
//  - every request gets "x-as-sdk: gcore", "x-as-plugin: <plugin_name property>" and
//    "x-as-count: <n>", n counted in shared data with compare-and-swap;
//  - "x-as-action: deny" answers 403 with a local response;
//  - every response gets "x-as-response: gcore".
export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy";
import {
  RootContext, Context, registerRootContext, FilterHeadersStatusValues, stream_context,
  send_local_response, GrpcStatusValues, Headers, makeHeaderPair, log, LogLevelValues,
  get_shared_data, set_shared_data, get_property, WasmResultValues,
} from "@gcoredev/proxy-wasm-sdk-as/assembly";

class GcoreRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new GcoreFilter(context_id, this);
  }
}

function bumpCounter(): u32 {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = get_shared_data("as_counter");
    let n: u32 = 0;
    if (current.result == WasmResultValues.Ok && current.value != null) {
      n = <u32>parseInt(String.UTF8.decode(current.value!));
    }
    const next = n + 1;
    if (set_shared_data("as_counter", String.UTF8.encode(next.toString()), current.cas) == WasmResultValues.Ok) {
      return next;
    }
  }
  return 0;
}

class GcoreFilter extends Context {
  constructor(context_id: u32, root_context: GcoreRoot) {
    super(context_id, root_context);
  }

  onRequestHeaders(count: u32, end_of_stream: bool): FilterHeadersStatusValues {
    stream_context.headers.request.add("x-as-sdk", "gcore");
    stream_context.headers.request.add("x-as-plugin", String.UTF8.decode(get_property("plugin_name")));
    stream_context.headers.request.add("x-as-count", bumpCounter().toString());
    log(LogLevelValues.info, "gcore filter saw " + count.toString() + " headers");
    if (stream_context.headers.request.get("x-as-action") == "deny") {
      const headers: Headers = [];
      headers.push(makeHeaderPair("x-denied-by", "as-gcore"));
      send_local_response(403, "denied by gcore", String.UTF8.encode("nope"), headers, GrpcStatusValues.PermissionDenied);
      return FilterHeadersStatusValues.StopIteration;
    }
    return FilterHeadersStatusValues.Continue;
  }

  onResponseHeaders(count: u32, end_of_stream: bool): FilterHeadersStatusValues {
    stream_context.headers.response.add("x-as-response", "gcore");
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => { return new GcoreRoot(context_id); }, "gcore_root");
