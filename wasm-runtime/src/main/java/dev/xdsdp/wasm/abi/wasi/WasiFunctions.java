package dev.xdsdp.wasm.abi.wasi;

import dev.xdsdp.wasm.abi.LogLevel;
import dev.xdsdp.wasm.abi.host.HostFunctions;
import dev.xdsdp.wasm.abi.memory.GuestMemory;
import dev.xdsdp.wasm.context.WasmInstance;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * The WASI preview 1 subset a proxy offers, with cpp-host's semantics, registered under both
 * {@code wasi_snapshot_preview1} and {@code wasi_unstable}. Nothing reaches a file system, a
 * socket or the JVM's environment: stdout/stderr go to the plugin's log, the environment is only
 * {@code VmConfig.environment_variables}, and file and socket calls fail politely so runtimes that
 * probe them at start (Go, TinyGo) carry on.
 */
public final class WasiFunctions {

  private static final int CLOCK_REALTIME = 0;
  private static final int CLOCK_MONOTONIC = 1;
  /** cpp-host's {@code PROXY_WASM_HOST_WASI_RANDOM_GET_MAX_SIZE_BYTES}. */
  private static final int RANDOM_GET_MAX = 64 * 1024;
  private static final int FILETYPE_CHARACTER_DEVICE = 2;
  private static final long RIGHT_FD_WRITE = 64;

  private final WasmInstance instance;
  private final GuestMemory memory;

  public WasiFunctions(WasmInstance instance) {
    this.instance = instance;
    this.memory = instance.memory();
  }

  private static long u32(long v) {
    return v & 0xFFFFFFFFL;
  }

  public void register(HostFunctions.Registrar r) {
    r.wasi("fd_write", a -> fdWrite(a[0], a[1], a[2], a[3]));
    r.wasi("fd_read", a -> WasiErrno.NOSYS);
    r.wasi("fd_close", a -> a[0] >= 0 && a[0] <= 2 ? WasiErrno.SUCCESS : WasiErrno.BADF);
    r.wasi("fd_seek", a -> a[0] >= 0 && a[0] <= 2 ? WasiErrno.SPIPE : WasiErrno.BADF);
    r.wasi("fd_tell", a -> a[0] >= 0 && a[0] <= 2 ? WasiErrno.SPIPE : WasiErrno.BADF);
    r.wasi("fd_fdstat_get", a -> fdstatGet(a[0], a[1]));
    r.wasi("fd_fdstat_set_flags", a -> WasiErrno.NOSYS);
    r.wasi("fd_fdstat_set_rights", a -> WasiErrno.NOTSUP);
    r.wasi("fd_prestat_get", a -> WasiErrno.BADF); // no preopened directories: Go's scan ends here
    r.wasi("fd_prestat_dir_name", a -> WasiErrno.NOSYS);
    r.wasi("fd_filestat_get", a -> WasiErrno.BADF);
    r.wasi("fd_filestat_set_size", a -> WasiErrno.BADF);
    r.wasi("fd_filestat_set_times", a -> WasiErrno.BADF);
    r.wasi("fd_advise", a -> WasiErrno.BADF);
    r.wasi("fd_allocate", a -> WasiErrno.BADF);
    r.wasi("fd_datasync", a -> WasiErrno.BADF);
    r.wasi("fd_sync", a -> WasiErrno.BADF);
    r.wasi("fd_pread", a -> WasiErrno.BADF);
    r.wasi("fd_pwrite", a -> WasiErrno.BADF);
    r.wasi("fd_readdir", a -> WasiErrno.BADF);
    r.wasi("fd_renumber", a -> WasiErrno.BADF);
    r.wasi("path_open", a -> WasiErrno.NOENT);
    r.wasi("path_create_directory", a -> WasiErrno.NOTCAPABLE);
    r.wasi("path_filestat_get", a -> WasiErrno.NOENT);
    r.wasi("path_filestat_set_times", a -> WasiErrno.NOTCAPABLE);
    r.wasi("path_link", a -> WasiErrno.NOTCAPABLE);
    r.wasi("path_readlink", a -> WasiErrno.NOENT);
    r.wasi("path_remove_directory", a -> WasiErrno.NOTCAPABLE);
    r.wasi("path_rename", a -> WasiErrno.NOTCAPABLE);
    r.wasi("path_symlink", a -> WasiErrno.NOTCAPABLE);
    r.wasi("path_unlink_file", a -> WasiErrno.NOTCAPABLE);
    r.wasi("sock_accept", a -> WasiErrno.NOTSUP);
    r.wasi("sock_recv", a -> WasiErrno.NOTSUP);
    r.wasi("sock_send", a -> WasiErrno.NOTSUP);
    r.wasi("sock_shutdown", a -> WasiErrno.NOTSUP);
    r.wasi("args_sizes_get", a -> argsSizes(a[0], a[1]));
    r.wasi("args_get", a -> WasiErrno.SUCCESS);
    r.wasi("environ_sizes_get", a -> environSizes(a[0], a[1]));
    r.wasi("environ_get", a -> environGet(a[0], a[1]));
    r.wasi("clock_time_get", a -> clockTimeGet(a[0], a[2]));
    r.wasi("clock_res_get", a -> clockResGet(a[0], a[1]));
    r.wasi("random_get", a -> randomGet(a[0], a[1]));
    r.wasi("sched_yield", a -> WasiErrno.SUCCESS);
    r.wasi("poll_oneoff", a -> pollOneoff(a[3]));
    r.wasi("proc_exit", a -> {
      throw new WasmInstance.ExitFault((int) a[0]);
    });
    r.wasi("proc_raise", a -> WasiErrno.NOSYS);
  }

  /** fd 1 logs at INFO, fd 2 at ERROR, one trailing newline stripped; other fds are BADF. */
  private long fdWrite(long fd, long iovs, long iovsLen, long nwrittenPtr) {
    if (fd != 1 && fd != 2) {
      return WasiErrno.BADF;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = u32(iovsLen);
    for (long i = 0; i < n; i++) {
      long iov = u32(iovs) + i * 8;
      long ptr = u32(memory.readI32(iov));
      long len = u32(memory.readI32(iov + 4));
      out.writeBytes(memory.read(ptr, len));
    }
    memory.writeI32(u32(nwrittenPtr), out.size());
    String text = out.toString(StandardCharsets.UTF_8);
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    if (!text.isEmpty()) {
      instance.effectivePlugin().log().log(fd == 1 ? LogLevel.INFO : LogLevel.ERROR, text);
    }
    return WasiErrno.SUCCESS;
  }

  private long fdstatGet(long fd, long statPtr) {
    if (fd != 1 && fd != 2) {
      return WasiErrno.BADF;
    }
    long p = u32(statPtr);
    memory.check(p, 24);
    memory.write(p, new byte[24]);
    memory.writeByte(p, (byte) FILETYPE_CHARACTER_DEVICE);
    memory.writeI64(p + 8, RIGHT_FD_WRITE);
    return WasiErrno.SUCCESS;
  }

  private long argsSizes(long argcPtr, long bufSizePtr) {
    memory.check(u32(argcPtr), 4);
    memory.check(u32(bufSizePtr), 4);
    memory.writeI32(u32(argcPtr), 0);
    memory.writeI32(u32(bufSizePtr), 0);
    return WasiErrno.SUCCESS;
  }

  private Map<String, String> env() {
    return instance.plugin().config().environmentVariables();
  }

  private long environSizes(long countPtr, long bufSizePtr) {
    int size = 0;
    for (Map.Entry<String, String> e : env().entrySet()) {
      size += entry(e).length;
    }
    memory.check(u32(countPtr), 4);
    memory.check(u32(bufSizePtr), 4);
    memory.writeI32(u32(countPtr), env().size());
    memory.writeI32(u32(bufSizePtr), size);
    return WasiErrno.SUCCESS;
  }

  private static byte[] entry(Map.Entry<String, String> e) {
    return (e.getKey() + "=" + e.getValue() + "\0").getBytes(StandardCharsets.UTF_8);
  }

  private long environGet(long environPtr, long bufPtr) {
    long ptrs = u32(environPtr);
    long buf = u32(bufPtr);
    for (Map.Entry<String, String> e : env().entrySet()) {
      byte[] b = entry(e);
      memory.write(buf, b);
      memory.writeI32(ptrs, (int) buf);
      ptrs += 4;
      buf += b.length;
    }
    return WasiErrno.SUCCESS;
  }

  private long clockTimeGet(long clockId, long resultPtr) {
    long t;
    if (clockId == CLOCK_REALTIME) {
      Instant now = Instant.now();
      t = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    } else if (clockId == CLOCK_MONOTONIC) {
      t = System.nanoTime();
    } else {
      return WasiErrno.NOTSUP;
    }
    memory.writeI64(u32(resultPtr), t);
    return WasiErrno.SUCCESS;
  }

  private long clockResGet(long clockId, long resultPtr) {
    if (clockId != CLOCK_REALTIME && clockId != CLOCK_MONOTONIC) {
      return WasiErrno.NOTSUP;
    }
    memory.writeI64(u32(resultPtr), 1);
    return WasiErrno.SUCCESS;
  }

  private long randomGet(long bufPtr, long len) {
    long n = u32(len);
    if (n > RANDOM_GET_MAX) {
      return WasiErrno.INVAL;
    }
    byte[] b = new byte[(int) n];
    instance.plugin().random().nextBytes(b);
    memory.write(u32(bufPtr), b);
    return WasiErrno.SUCCESS;
  }

  /** No events, success: Go's runtime aborts on any error here (golang/go#78513). */
  private long pollOneoff(long neventsPtr) {
    memory.writeI32(u32(neventsPtr), 0);
    return WasiErrno.SUCCESS;
  }
}
