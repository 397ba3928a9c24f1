package dev.xdsdp.wasm.abi.host;

import dev.xdsdp.api.stats.Counter;
import dev.xdsdp.api.stats.Gauge;
import dev.xdsdp.api.stats.Histogram;
import dev.xdsdp.wasm.abi.MetricType;
import dev.xdsdp.wasm.abi.WasmResult;
import dev.xdsdp.wasm.context.WasmInstance;
import java.util.HashMap;
import java.util.Map;

/**
 * Module-defined metrics. A metric is made in the plugin's custom-metrics scope under the name the
 * module gives (the same name from every replica is the same stat, as in Envoy). Ids are per VM
 * and carry the type in their low two bits, as cpp-host's {@code kMetricTypeMask}.
 */
final class MetricFunctions extends AbiFunctions {

  private static final int TYPE_MASK = 0x3;
  private static final int ID_INCREMENT = 0x4;

  private final Map<Integer, Object> metrics = new HashMap<>();
  private int nextCounter = MetricType.COUNTER.ordinal();
  private int nextGauge = MetricType.GAUGE.ordinal();
  private int nextHistogram = MetricType.HISTOGRAM.ordinal();

  MetricFunctions(WasmInstance instance) {
    super(instance);
  }

  @Override
  void register(HostFunctions.Registrar r) {
    r.env("proxy_define_metric", a -> define(a[0], a[1], a[2], a[3]));
    r.env("proxy_increment_metric", a -> increment(a[0], a[1]));
    r.env("proxy_record_metric", a -> record(a[0], a[1]));
    r.env("proxy_get_metric", a -> get(a[0], a[1]));
  }

  private long define(long typeArg, long namePtr, long nameLen, long idPtr) {
    MetricType type = MetricType.fromCode(u32(typeArg));
    if (type == null) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    String name = string(namePtr, nameLen);
    if (name.isEmpty()) {
      return code(WasmResult.BAD_ARGUMENT);
    }
    memory.check(u32(idPtr), 4);
    var scope = instance.effectivePlugin().customMetrics();
    int id;
    switch (type) {
      case COUNTER -> {
        nextCounter += ID_INCREMENT;
        id = nextCounter;
        metrics.put(id, scope.counter(name));
      }
      case GAUGE -> {
        nextGauge += ID_INCREMENT;
        id = nextGauge;
        metrics.put(id, scope.gauge(name));
      }
      default -> {
        nextHistogram += ID_INCREMENT;
        id = nextHistogram;
        metrics.put(id, scope.histogram(name, Histogram.Unit.UNSPECIFIED));
      }
    }
    memory.writeI32(u32(idPtr), id);
    return OK;
  }

  private long increment(long idArg, long delta) {
    Object m = metrics.get((int) idArg);
    if (m == null) {
      return code(WasmResult.NOT_FOUND);
    }
    switch (m) {
      case Counter c -> {
        if (delta <= 0) {
          return code(WasmResult.BAD_ARGUMENT);
        }
        c.add(delta);
      }
      case Gauge g -> g.add(delta);
      default -> {
        return code(WasmResult.BAD_ARGUMENT);
      }
    }
    return OK;
  }

  private long record(long idArg, long value) {
    Object m = metrics.get((int) idArg);
    if (m == null) {
      return code(WasmResult.NOT_FOUND);
    }
    switch (m) {
      case Counter c -> c.add(value);
      case Gauge g -> g.set(value);
      case Histogram h -> h.record(value);
      default -> {
        return code(WasmResult.BAD_ARGUMENT);
      }
    }
    return OK;
  }

  private long get(long idArg, long resultPtr) {
    Object m = metrics.get((int) idArg);
    if (m == null) {
      return code(WasmResult.NOT_FOUND);
    }
    long value;
    switch (m) {
      case Counter c -> value = c.value();
      case Gauge g -> value = g.value();
      default -> {
        return code(WasmResult.BAD_ARGUMENT);
      }
    }
    memory.writeI64(u32(resultPtr), value);
    return OK;
  }

  static int typeBits(int id) {
    return id & TYPE_MASK;
  }
}
