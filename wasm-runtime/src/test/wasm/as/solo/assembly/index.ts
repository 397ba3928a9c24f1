// A test plugin on the solo-io AssemblyScript SDK (npm 0.1.8, ABI 0.2.0).
//  - every request gets "x-as-sdk: solo" and every response "x-as-response: solo";
//  - "x-as-action: deny" answers 401 with a local response;
//  - "x-as-action: call" makes an HTTP call to the "backend" cluster and resumes the request
//    with the response status in "x-as-call-status".
export * from "@solo-io/proxy-runtime/proxy";
import {
  RootContext, Context, registerRootContext, FilterHeadersStatusValues, stream_context,
  send_local_response, GrpcStatusValues, Headers, HeaderPair, LogLevelValues, log, continue_request,
} from "@solo-io/proxy-runtime";

class SoloRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new SoloFilter(context_id, this);
  }
}

function pair(key: string, value: string): HeaderPair {
  return new HeaderPair(String.UTF8.encode(key), String.UTF8.encode(value));
}

class SoloFilter extends Context {
  constructor(context_id: u32, root_context: SoloRoot) {
    super(context_id, root_context);
  }

  onRequestHeaders(count: u32, end_of_stream: bool): FilterHeadersStatusValues {
    stream_context.headers.request.add("x-as-sdk", "solo");
    const action = stream_context.headers.request.get("x-as-action");
    if (action == "deny") {
      const headers: Headers = [];
      headers.push(pair("x-denied-by", "as-solo"));
      send_local_response(401, "denied by as", String.UTF8.encode("denied"), headers, GrpcStatusValues.Unauthenticated);
      return FilterHeadersStatusValues.StopIteration;
    }
    if (action == "call") {
      const headers: Headers = [];
      headers.push(pair(":method", "GET"));
      headers.push(pair(":path", "/as"));
      headers.push(pair(":authority", "backend"));
      const result = this.root_context.httpCall("backend", headers, new ArrayBuffer(0), [], 1000, this,
        (origin: Context, h: u32, bodySize: usize, t: u32): void => {
          const status = stream_context.headers.http_callback.get(":status");
          stream_context.headers.request.add("x-as-call-status", status);
          continue_request();
        });
      log(LogLevelValues.info, "as http call result " + result.toString());
      return FilterHeadersStatusValues.StopIteration;
    }
    return FilterHeadersStatusValues.Continue;
  }

  onResponseHeaders(count: u32, end_of_stream: bool): FilterHeadersStatusValues {
    stream_context.headers.response.add("x-as-response", "solo");
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => { return new SoloRoot(context_id); }, "solo_root");
