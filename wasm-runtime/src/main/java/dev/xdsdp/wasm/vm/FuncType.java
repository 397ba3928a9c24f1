package dev.xdsdp.wasm.vm;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A function signature. {@link #toString()} prints it as {@code (i32, i32) -> i32}, the form used
 * in every load error, so a module author can compare it with their SDK's declaration.
 */
public record FuncType(List<ValType> params, List<ValType> results) {

  public FuncType {
    params = List.copyOf(params);
    results = List.copyOf(results);
  }

  /** {@code n} i32 parameters returning one i32: the shape of almost every proxy-wasm hostcall. */
  public static FuncType i32s(int n) {
    return new FuncType(java.util.Collections.nCopies(n, ValType.I32), List.of(ValType.I32));
  }

  /** {@code n} i32 parameters returning nothing. */
  public static FuncType i32sVoid(int n) {
    return new FuncType(java.util.Collections.nCopies(n, ValType.I32), List.of());
  }

  public static FuncType of(List<ValType> params, ValType result) {
    return new FuncType(params, result == null ? List.of() : List.of(result));
  }

  /** The single result type, or null for a function returning nothing. */
  public ValType result() {
    return results.isEmpty() ? null : results.getFirst();
  }

  @Override
  public String toString() {
    String p = params.stream().map(ValType::toString).collect(Collectors.joining(", ", "(", ")"));
    String r =
        results.isEmpty()
            ? "()"
            : results.size() == 1
                ? results.getFirst().toString()
                : results.stream().map(ValType::toString).collect(Collectors.joining(", ", "(", ")"));
    return p + " -> " + r;
  }
}
