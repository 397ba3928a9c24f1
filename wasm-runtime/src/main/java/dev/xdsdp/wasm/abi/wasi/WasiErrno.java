package dev.xdsdp.wasm.abi.wasi;

/** The WASI errno values this host returns. */
public final class WasiErrno {
  private WasiErrno() {}

  public static final int SUCCESS = 0;
  public static final int BADF = 8;
  public static final int FAULT = 21;
  public static final int INVAL = 28;
  public static final int NOENT = 44;
  public static final int NOSYS = 52;
  public static final int NOTSUP = 58;
  public static final int SPIPE = 70;
  public static final int NOTCAPABLE = 76;
}
