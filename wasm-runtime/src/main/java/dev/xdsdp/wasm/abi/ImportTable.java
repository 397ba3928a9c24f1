package dev.xdsdp.wasm.abi;

import dev.xdsdp.wasm.module.AbiVersion;
import dev.xdsdp.wasm.vm.FuncType;
import dev.xdsdp.wasm.vm.ValType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every function this host provides, with the exact Wasm signature cpp-host registers
 * ({@code include/proxy-wasm/exports.h}), per ABI version. A module links only what it imports, so
 * offering the whole set is harmless; an import that is missing here, or declared with another
 * signature, is refused at load with a message naming both signatures.
 *
 * <p>WASI preview 1 is offered under both {@code wasi_snapshot_preview1} and the older
 * {@code wasi_unstable} name, whose functions have the same Wasm types.
 */
public final class ImportTable {

  public static final String ENV = "env";
  public static final String WASI = "wasi_snapshot_preview1";
  public static final String WASI_UNSTABLE = "wasi_unstable";

  private static final Set<AbiVersion> ALL = EnumSet.allOf(AbiVersion.class);
  private static final Set<AbiVersion> V01 = EnumSet.of(AbiVersion.V0_1_0);
  private static final Set<AbiVersion> V02 = EnumSet.of(AbiVersion.V0_2_0, AbiVersion.V0_2_1);

  private static final List<ImportSpec> SPECS = buildSpecs();
  private static final Map<AbiVersion, ImportTable> TABLES = new java.util.EnumMap<>(AbiVersion.class);

  static {
    for (AbiVersion v : AbiVersion.values()) {
      TABLES.put(v, new ImportTable(v));
    }
  }

  private final AbiVersion version;
  private final Map<String, ImportSpec> byName;

  private ImportTable(AbiVersion version) {
    this.version = version;
    Map<String, ImportSpec> m = new LinkedHashMap<>();
    for (ImportSpec s : SPECS) {
      if (s.versions().contains(version)) {
        m.put(s.qualifiedName(), s);
      }
    }
    this.byName = Collections.unmodifiableMap(m);
  }

  /** The common set plus the version's own functions. */
  public static ImportTable forVersion(AbiVersion version) {
    return TABLES.get(version);
  }

  /** Every spec of every version (for tests that check each one has an implementation). */
  public static List<ImportSpec> allSpecs() {
    return SPECS;
  }

  public AbiVersion version() {
    return version;
  }

  /** The spec for {@code module.name}, or null when the host does not provide it for this version. */
  public ImportSpec find(String module, String name) {
    return byName.get(module + "." + name);
  }

  public Map<String, ImportSpec> specs() {
    return byName;
  }

  /** A spec offered by some other ABI version (for a clearer error), or null. */
  public static ImportSpec findInAnyVersion(String module, String name) {
    for (ImportSpec s : SPECS) {
      if (s.module().equals(module) && s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }

  private static List<ImportSpec> buildSpecs() {
    List<ImportSpec> l = new ArrayList<>();
    // General.
    env(l, "proxy_log", FuncType.i32s(3), ALL);
    env(l, "proxy_get_log_level", FuncType.i32s(1), ALL);
    env(l, "proxy_get_current_time_nanoseconds", FuncType.i32s(1), ALL);
    env(l, "proxy_set_tick_period_milliseconds", FuncType.i32s(1), ALL);
    env(l, "proxy_set_effective_context", FuncType.i32s(1), ALL);
    env(l, "proxy_done", FuncType.i32s(0), ALL);
    env(l, "proxy_get_status", FuncType.i32s(3), ALL);
    env(l, "proxy_get_configuration", FuncType.i32s(2), V01);
    // Buffers and header maps.
    env(l, "proxy_get_buffer_bytes", FuncType.i32s(5), ALL);
    env(l, "proxy_set_buffer_bytes", FuncType.i32s(5), ALL);
    env(l, "proxy_get_buffer_status", FuncType.i32s(3), ALL);
    env(l, "proxy_get_header_map_pairs", FuncType.i32s(3), ALL);
    env(l, "proxy_set_header_map_pairs", FuncType.i32s(3), ALL);
    env(l, "proxy_get_header_map_value", FuncType.i32s(5), ALL);
    env(l, "proxy_add_header_map_value", FuncType.i32s(5), ALL);
    env(l, "proxy_replace_header_map_value", FuncType.i32s(5), ALL);
    env(l, "proxy_remove_header_map_value", FuncType.i32s(3), ALL);
    env(l, "proxy_get_header_map_size", FuncType.i32s(2), ALL);
    // Stream control.
    env(l, "proxy_continue_stream", FuncType.i32s(1), V02);
    env(l, "proxy_close_stream", FuncType.i32s(1), V02);
    env(l, "proxy_continue_request", FuncType.i32s(0), V01);
    env(l, "proxy_continue_response", FuncType.i32s(0), V01);
    env(l, "proxy_clear_route_cache", FuncType.i32s(0), V01);
    env(l, "proxy_send_local_response", FuncType.i32s(8), ALL);
    // Properties.
    env(l, "proxy_get_property", FuncType.i32s(4), ALL);
    env(l, "proxy_set_property", FuncType.i32s(4), ALL);
    // Callouts. The solo-io AssemblyScript SDK declares the gRPC calls without the metadata pair.
    env(l, "proxy_http_call", FuncType.i32s(10), ALL);
    l.add(new ImportSpec(ENV, "proxy_grpc_call", FuncType.i32s(12), ALL, List.of(FuncType.i32s(10))));
    l.add(new ImportSpec(ENV, "proxy_grpc_stream", FuncType.i32s(9), ALL, List.of(FuncType.i32s(7))));
    env(l, "proxy_grpc_send", FuncType.i32s(4), ALL);
    env(l, "proxy_grpc_cancel", FuncType.i32s(1), ALL);
    env(l, "proxy_grpc_close", FuncType.i32s(1), ALL);
    // Shared data and queues.
    env(l, "proxy_get_shared_data", FuncType.i32s(5), ALL);
    env(l, "proxy_set_shared_data", FuncType.i32s(5), ALL);
    env(l, "proxy_register_shared_queue", FuncType.i32s(3), ALL);
    env(l, "proxy_resolve_shared_queue", FuncType.i32s(5), ALL);
    env(l, "proxy_enqueue_shared_queue", FuncType.i32s(3), ALL);
    env(l, "proxy_dequeue_shared_queue", FuncType.i32s(3), ALL);
    // Metrics.
    env(l, "proxy_define_metric", FuncType.i32s(4), ALL);
    env(l, "proxy_increment_metric", FuncType.of(List.of(ValType.I32, ValType.I64), ValType.I32), ALL);
    env(l, "proxy_record_metric", FuncType.of(List.of(ValType.I32, ValType.I64), ValType.I32), ALL);
    env(l, "proxy_get_metric", FuncType.i32s(2), ALL);
    // Foreign functions.
    env(l, "proxy_call_foreign_function", FuncType.i32s(6), ALL);
    // Seen in real modules: emscripten's growth notification, old emscripten's pthread_equal,
    // and Envoy's DNS extension.
    env(l, "emscripten_notify_memory_growth", FuncType.i32sVoid(1), ALL);
    env(l, "pthread_equal", FuncType.i32s(2), ALL);
    env(l, "envoy_resolve_dns", FuncType.i32s(3), ALL);
    // WASI preview 1, under both names.
    for (String module : List.of(WASI, WASI_UNSTABLE)) {
      wasi(l, module, "args_get", "ii");
      wasi(l, module, "args_sizes_get", "ii");
      wasi(l, module, "environ_get", "ii");
      wasi(l, module, "environ_sizes_get", "ii");
      wasi(l, module, "clock_res_get", "ii");
      wasi(l, module, "clock_time_get", "iIi");
      wasi(l, module, "fd_advise", "iIIi");
      wasi(l, module, "fd_allocate", "iII");
      wasi(l, module, "fd_close", "i");
      wasi(l, module, "fd_datasync", "i");
      wasi(l, module, "fd_fdstat_get", "ii");
      wasi(l, module, "fd_fdstat_set_flags", "ii");
      wasi(l, module, "fd_fdstat_set_rights", "iII");
      wasi(l, module, "fd_filestat_get", "ii");
      wasi(l, module, "fd_filestat_set_size", "iI");
      wasi(l, module, "fd_filestat_set_times", "iIIi");
      wasi(l, module, "fd_pread", "iiiIi");
      wasi(l, module, "fd_prestat_get", "ii");
      wasi(l, module, "fd_prestat_dir_name", "iii");
      wasi(l, module, "fd_pwrite", "iiiIi");
      wasi(l, module, "fd_read", "iiii");
      wasi(l, module, "fd_readdir", "iiiIi");
      wasi(l, module, "fd_renumber", "ii");
      wasi(l, module, "fd_seek", "iIii");
      wasi(l, module, "fd_sync", "i");
      wasi(l, module, "fd_tell", "ii");
      wasi(l, module, "fd_write", "iiii");
      wasi(l, module, "path_create_directory", "iii");
      wasi(l, module, "path_filestat_get", "iiiii");
      wasi(l, module, "path_filestat_set_times", "iiiiIIi");
      wasi(l, module, "path_link", "iiiiiii");
      wasi(l, module, "path_open", "iiiiiIIii");
      wasi(l, module, "path_readlink", "iiiiii");
      wasi(l, module, "path_remove_directory", "iii");
      wasi(l, module, "path_rename", "iiiiii");
      wasi(l, module, "path_symlink", "iiiii");
      wasi(l, module, "path_unlink_file", "iii");
      wasi(l, module, "poll_oneoff", "iiii");
      l.add(new ImportSpec(module, "proc_exit", FuncType.i32sVoid(1), ALL, List.of()));
      wasi(l, module, "proc_raise", "i");
      wasi(l, module, "sched_yield", "");
      wasi(l, module, "random_get", "ii");
      wasi(l, module, "sock_accept", "iii");
      wasi(l, module, "sock_recv", "iiiiii");
      wasi(l, module, "sock_send", "iiiii");
      wasi(l, module, "sock_shutdown", "ii");
    }
    return List.copyOf(l);
  }

  private static void env(List<ImportSpec> l, String name, FuncType type, Set<AbiVersion> versions) {
    l.add(new ImportSpec(ENV, name, type, versions, List.of()));
  }

  /** A WASI function returning an errno, with params given as {@code i}=i32 and {@code I}=i64. */
  private static void wasi(List<ImportSpec> l, String module, String name, String params) {
    List<ValType> p = new ArrayList<>(params.length());
    for (char c : params.toCharArray()) {
      p.add(c == 'I' ? ValType.I64 : ValType.I32);
    }
    l.add(new ImportSpec(module, name, FuncType.of(p, ValType.I32), ALL, List.of()));
  }
}
