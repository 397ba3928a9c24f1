package dev.xdsdp.dataplane.admin;

import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Durations;
import dev.xdsdp.dataplane.server.Options;
import io.envoyproxy.envoy.admin.v3.Certificates;
import io.envoyproxy.envoy.admin.v3.CommandLineOptions;
import io.envoyproxy.envoy.admin.v3.Memory;
import io.envoyproxy.envoy.admin.v3.ServerInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code /server_info}, {@code /hot_restart_version}, {@code /memory} and {@code /certs}, printed
 * as Envoy prints them: pretty JSON with default-valued fields included.
 */
final class ServerInfoHandler {

  /** What Envoy reports when hot restart is unavailable; there is none here. */
  static final String HOT_RESTART_VERSION = "disabled";

  private final AdminContext context;

  ServerInfoHandler(AdminContext context) {
    this.context = context;
  }

  List<AdminEndpoint> endpoints() {
    return List.of(
        AdminEndpoint.get("/server_info", "print server version/status information", this::serverInfo),
        AdminEndpoint.get("/hot_restart_version", "print the hot restart compatibility version",
            r -> AdminResponse.ok(HOT_RESTART_VERSION)),
        AdminEndpoint.get("/memory", "print current allocation/heap usage", this::memory),
        AdminEndpoint.get("/certs", "print certs on machine", this::certs));
  }

  AdminResponse serverInfo(AdminRequest request) throws InvalidProtocolBufferException {
    Instant now = context.clock().instant();
    long uptime = Math.max(0, now.getEpochSecond() - context.startTime().getEpochSecond());
    ServerInfo info = ServerInfo.newBuilder()
        .setVersion(context.version())
        .setState(context.serverState())
        .setUptimeCurrentEpoch(Duration.newBuilder().setSeconds(uptime))
        .setUptimeAllEpochs(Duration.newBuilder().setSeconds(uptime))
        .setHotRestartVersion(HOT_RESTART_VERSION)
        .setCommandLineOptions(commandLineOptions(context.options()))
        .setNode(context.node())
        .build();
    return AdminResponse.json(AdminJson.print(info, true));
  }

  /** Envoy's {@code OptionsImpl::toCommandLineOptions}. */
  static CommandLineOptions commandLineOptions(Options o) {
    CommandLineOptions.Builder b = CommandLineOptions.newBuilder()
        .setBaseId(o.baseId())
        .setUseDynamicBaseId(o.useDynamicBaseId())
        .setSkipHotRestartOnNoParent(o.skipHotRestartOnNoParent())
        .setSkipHotRestartParentStats(o.skipHotRestartParentStats())
        .setBaseIdPath(o.baseIdPath())
        .setConcurrency(o.concurrency())
        .setConfigPath(o.configPath())
        .setConfigYaml(o.configYaml())
        .setAllowUnknownStaticFields(o.allowUnknownStaticFields())
        .setRejectUnknownDynamicFields(o.rejectUnknownDynamicFields())
        .setIgnoreUnknownDynamicFields(o.ignoreUnknownDynamicFields())
        .setSkipDeprecatedLogs(o.skipDeprecatedLogs())
        .setAdminAddressPath(o.adminAddressPath())
        .setLocalAddressIpVersion(o.localAddressIpVersion() == Options.IpVersion.V6
            ? CommandLineOptions.IpVersion.v6
            : CommandLineOptions.IpVersion.v4)
        .setLogLevel(o.logLevel().envoyName())
        .setComponentLogLevel(o.componentLogLevels().stream()
            .map(c -> c.component() + ":" + c.level().envoyName())
            .collect(Collectors.joining(",")))
        .setLogFormat(o.logFormat())
        .setLogFormatEscaped(o.logFormatEscaped())
        .setLogPath(o.logPath())
        .setServiceCluster(o.serviceCluster())
        .setServiceNode(o.serviceNode())
        .setServiceZone(o.serviceZone())
        .setFileFlushInterval(Durations.fromMillis(o.fileFlushInterval().toMillis()))
        .setDrainTime(Durations.fromSeconds(o.drainTime().toSeconds()))
        .setDrainStrategy(o.drainStrategy() == Options.DrainStrategy.IMMEDIATE
            ? CommandLineOptions.DrainStrategy.Immediate
            : CommandLineOptions.DrainStrategy.Gradual)
        .setParentShutdownTime(Durations.fromSeconds(o.parentShutdownTime().toSeconds()))
        .setMode(switch (o.mode()) {
          case SERVE -> CommandLineOptions.Mode.Serve;
          case VALIDATE -> CommandLineOptions.Mode.Validate;
          case INIT_ONLY -> CommandLineOptions.Mode.InitOnly;
        })
        .setDisableHotRestart(o.disableHotRestart())
        .setEnableMutexTracing(o.enableMutexTracing())
        .setRestartEpoch((int) o.restartEpoch())
        .setCpusetThreads(o.cpusetThreads())
        .addAllDisabledExtensions(o.disabledExtensions())
        .setEnableFineGrainLogging(o.enableFineGrainLogging())
        .setSocketPath(o.socketPath())
        .setSocketMode(o.socketMode())
        .setEnableCoreDump(o.enableCoreDump());
    for (Options.StatsTag t : o.statsTags()) {
      b.addStatsTag(t.name() + ":" + t.value());
    }
    return b.build();
  }

  /**
   * The JVM's view of Envoy's allocator figures: {@code allocated} is the heap and non-heap memory
   * in use, {@code heap_size} what the JVM has reserved for them, {@code pageheap_free} the
   * reserved but unused part.
   */
  AdminResponse memory(AdminRequest request) throws InvalidProtocolBufferException {
    MemoryMXBean bean = ManagementFactory.getMemoryMXBean();
    MemoryUsage heap = bean.getHeapMemoryUsage();
    MemoryUsage nonHeap = bean.getNonHeapMemoryUsage();
    long used = heap.getUsed() + nonHeap.getUsed();
    long committed = heap.getCommitted() + nonHeap.getCommitted();
    Memory memory = Memory.newBuilder()
        .setAllocated(used)
        .setHeapSize(committed)
        .setPageheapUnmapped(0)
        .setPageheapFree(Math.max(0, committed - used))
        .setTotalThreadCache(0)
        .setTotalPhysicalBytes(committed)
        .build();
    return AdminResponse.json(AdminJson.print(memory, true));
  }

  /** No TLS contexts exist here yet, so the list is empty. */
  AdminResponse certs(AdminRequest request) throws InvalidProtocolBufferException {
    return AdminResponse.json(AdminJson.print(Certificates.getDefaultInstance(), true));
  }
}
