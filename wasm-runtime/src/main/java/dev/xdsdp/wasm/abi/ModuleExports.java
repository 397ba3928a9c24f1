package dev.xdsdp.wasm.abi;

import dev.xdsdp.wasm.module.AbiVersion;
import dev.xdsdp.wasm.vm.FuncType;
import dev.xdsdp.wasm.vm.WasmFunction;
import dev.xdsdp.wasm.vm.WasmVm;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The callbacks a module may export, with the signature cpp-host looks up for each ABI version, and
 * the resolved functions of one instance. Every callback is optional; a missing one means the
 * default (continue, true, nothing) as in cpp-host.
 */
public final class ModuleExports {

  /** Expected signatures of the callbacks common to every version. */
  private static final Map<String, FuncType> COMMON = new LinkedHashMap<>();

  static {
    COMMON.put("_initialize", FuncType.i32sVoid(0));
    COMMON.put("_start", FuncType.i32sVoid(0));
    COMMON.put("proxy_on_memory_allocate", FuncType.i32s(1));
    COMMON.put("malloc", FuncType.i32s(1));
    COMMON.put("proxy_on_context_create", FuncType.i32sVoid(2));
    COMMON.put("proxy_on_vm_start", FuncType.i32s(2));
    COMMON.put("proxy_validate_configuration", FuncType.i32s(2));
    COMMON.put("proxy_on_configure", FuncType.i32s(2));
    COMMON.put("proxy_on_tick", FuncType.i32sVoid(1));
    COMMON.put("proxy_on_new_connection", FuncType.i32s(1));
    COMMON.put("proxy_on_downstream_data", FuncType.i32s(3));
    COMMON.put("proxy_on_upstream_data", FuncType.i32s(3));
    COMMON.put("proxy_on_downstream_connection_close", FuncType.i32sVoid(2));
    COMMON.put("proxy_on_upstream_connection_close", FuncType.i32sVoid(2));
    COMMON.put("proxy_on_request_body", FuncType.i32s(3));
    COMMON.put("proxy_on_request_trailers", FuncType.i32s(2));
    COMMON.put("proxy_on_request_metadata", FuncType.i32s(2));
    COMMON.put("proxy_on_response_body", FuncType.i32s(3));
    COMMON.put("proxy_on_response_trailers", FuncType.i32s(2));
    COMMON.put("proxy_on_response_metadata", FuncType.i32s(2));
    COMMON.put("proxy_on_http_call_response", FuncType.i32sVoid(5));
    COMMON.put("proxy_on_grpc_receive_initial_metadata", FuncType.i32sVoid(3));
    COMMON.put("proxy_on_grpc_receive_trailing_metadata", FuncType.i32sVoid(3));
    COMMON.put("proxy_on_grpc_receive", FuncType.i32sVoid(3));
    COMMON.put("proxy_on_grpc_close", FuncType.i32sVoid(3));
    COMMON.put("proxy_on_queue_ready", FuncType.i32sVoid(2));
    COMMON.put("proxy_on_done", FuncType.i32s(1));
    COMMON.put("proxy_on_log", FuncType.i32sVoid(1));
    COMMON.put("proxy_on_delete", FuncType.i32sVoid(1));
  }

  /** The signature {@code name} must have in a module of {@code version}, or null if we never call it. */
  public static FuncType expectedType(AbiVersion version, String name) {
    switch (name) {
      case "proxy_on_request_headers", "proxy_on_response_headers" -> {
        return version.atLeast02() ? FuncType.i32s(3) : FuncType.i32s(2);
      }
      case "proxy_on_foreign_function" -> {
        return version.atLeast02() ? FuncType.i32sVoid(3) : null;
      }
      default -> {
        return COMMON.get(name);
      }
    }
  }

  /** Callbacks whose names we know, for the validator. */
  public static Iterable<String> knownNames() {
    java.util.List<String> names = new java.util.ArrayList<>(COMMON.keySet());
    names.add("proxy_on_request_headers");
    names.add("proxy_on_response_headers");
    names.add("proxy_on_foreign_function");
    return names;
  }

  public final WasmFunction malloc;
  public final WasmFunction onContextCreate;
  public final WasmFunction onVmStart;
  public final WasmFunction onValidateConfiguration;
  public final WasmFunction onConfigure;
  public final WasmFunction onTick;
  public final WasmFunction onNewConnection;
  public final WasmFunction onDownstreamData;
  public final WasmFunction onUpstreamData;
  public final WasmFunction onDownstreamConnectionClose;
  public final WasmFunction onUpstreamConnectionClose;
  public final WasmFunction onRequestHeaders;
  public final WasmFunction onRequestBody;
  public final WasmFunction onRequestTrailers;
  public final WasmFunction onRequestMetadata;
  public final WasmFunction onResponseHeaders;
  public final WasmFunction onResponseBody;
  public final WasmFunction onResponseTrailers;
  public final WasmFunction onResponseMetadata;
  public final WasmFunction onHttpCallResponse;
  public final WasmFunction onGrpcReceiveInitialMetadata;
  public final WasmFunction onGrpcReceiveTrailingMetadata;
  public final WasmFunction onGrpcReceive;
  public final WasmFunction onGrpcClose;
  public final WasmFunction onQueueReady;
  public final WasmFunction onForeignFunction;
  public final WasmFunction onDone;
  public final WasmFunction onLog;
  public final WasmFunction onDelete;
  public final WasmFunction initialize;
  public final WasmFunction start;
  public final WasmFunction main;

  /** Resolves the callbacks of a linked instance, all of them allowed. */
  public ModuleExports(WasmVm vm, AbiVersion version) {
    this(vm, version, java.util.Set.of());
  }

  /**
   * Resolves the callbacks of a linked instance. With a non-empty {@code allowed} set (Envoy's
   * capability restriction), a {@code proxy_on_*} callback not in it is never called, as
   * cpp-host's {@code _GET_PROXY} does; initialisation and the allocator are always resolved.
   */
  public ModuleExports(WasmVm raw, AbiVersion version, java.util.Set<String> allowed) {
    java.util.function.Function<String, WasmFunction> lookup =
        name -> name.startsWith("proxy_on_") && !allowed.isEmpty() && !allowed.contains(name) ? null : raw.function(name);
    WasmVm vm = new CallbackLookup(raw, lookup);
    // cpp-host looks up malloc first and falls back to proxy_on_memory_allocate; modules that
    // export both (TinyGo) must see the same allocator they see in Envoy.
    WasmFunction alloc = vm.function("malloc");
    this.malloc = alloc != null ? alloc : vm.function("proxy_on_memory_allocate");
    this.onContextCreate = vm.function("proxy_on_context_create");
    this.onVmStart = vm.function("proxy_on_vm_start");
    this.onValidateConfiguration = vm.function("proxy_validate_configuration");
    this.onConfigure = vm.function("proxy_on_configure");
    this.onTick = vm.function("proxy_on_tick");
    this.onNewConnection = vm.function("proxy_on_new_connection");
    this.onDownstreamData = vm.function("proxy_on_downstream_data");
    this.onUpstreamData = vm.function("proxy_on_upstream_data");
    this.onDownstreamConnectionClose = vm.function("proxy_on_downstream_connection_close");
    this.onUpstreamConnectionClose = vm.function("proxy_on_upstream_connection_close");
    this.onRequestHeaders = vm.function("proxy_on_request_headers");
    this.onRequestBody = vm.function("proxy_on_request_body");
    this.onRequestTrailers = vm.function("proxy_on_request_trailers");
    this.onRequestMetadata = vm.function("proxy_on_request_metadata");
    this.onResponseHeaders = vm.function("proxy_on_response_headers");
    this.onResponseBody = vm.function("proxy_on_response_body");
    this.onResponseTrailers = vm.function("proxy_on_response_trailers");
    this.onResponseMetadata = vm.function("proxy_on_response_metadata");
    this.onHttpCallResponse = vm.function("proxy_on_http_call_response");
    this.onGrpcReceiveInitialMetadata = vm.function("proxy_on_grpc_receive_initial_metadata");
    this.onGrpcReceiveTrailingMetadata = vm.function("proxy_on_grpc_receive_trailing_metadata");
    this.onGrpcReceive = vm.function("proxy_on_grpc_receive");
    this.onGrpcClose = vm.function("proxy_on_grpc_close");
    this.onQueueReady = vm.function("proxy_on_queue_ready");
    this.onForeignFunction = version.atLeast02() ? vm.function("proxy_on_foreign_function") : null;
    this.onDone = vm.function("proxy_on_done");
    this.onLog = vm.function("proxy_on_log");
    this.onDelete = vm.function("proxy_on_delete");
    this.initialize = vm.function("_initialize");
    this.start = this.initialize == null ? vm.function("_start") : null;
    this.main = this.initialize != null ? vm.function("main") : null;
  }

  /** A view of a VM whose {@link #function} applies the capability filter. */
  private record CallbackLookup(WasmVm vm, java.util.function.Function<String, WasmFunction> lookup) implements WasmVm {
    @Override
    public void link(java.util.List<dev.xdsdp.wasm.vm.HostImport> imports) {
      vm.link(imports);
    }

    @Override
    public WasmFunction function(String name) {
      return name.equals("proxy_on_memory_allocate") ? vm.function(name) : lookup.apply(name);
    }

    @Override
    public java.nio.ByteBuffer memory() {
      return vm.memory();
    }

    @Override
    public long memorySize() {
      return vm.memorySize();
    }

    @Override
    public void interrupt() {
      vm.interrupt();
    }

    @Override
    public void close() {
      vm.close();
    }
  }
}
