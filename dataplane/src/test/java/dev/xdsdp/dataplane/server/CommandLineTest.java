package dev.xdsdp.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.dataplane.server.Options.ComponentLogLevel;
import dev.xdsdp.dataplane.server.Options.DrainStrategy;
import dev.xdsdp.dataplane.server.Options.IpVersion;
import dev.xdsdp.dataplane.server.Options.LogLevel;
import dev.xdsdp.dataplane.server.Options.Mode;
import dev.xdsdp.dataplane.server.Options.StatsTag;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineTest {

  private static Options run(String... args) throws CommandLineException {
    return assertInstanceOf(CommandLine.Parsed.Run.class, CommandLine.parse(args)).options();
  }

  private static String error(String... args) {
    return assertThrows(CommandLineException.class, () -> CommandLine.parse(args)).getMessage();
  }

  @Test
  void defaultsAreEnvoys() throws Exception {
    Options o = run();
    assertEquals("", o.configPath());
    assertEquals(null, o.configFile());
    assertEquals("", o.configYaml());
    assertEquals(Mode.SERVE, o.mode());
    assertEquals(LogLevel.INFO, o.logLevel());
    assertEquals(List.of(), o.componentLogLevels());
    assertEquals("[%Y-%m-%d %T.%e][%t][%l][%n] %v", o.logFormat());
    assertFalse(o.logFormatSet());
    assertEquals("", o.logPath());
    assertEquals(Runtime.getRuntime().availableProcessors(), o.concurrency());
    assertEquals(Duration.ofSeconds(600), o.drainTime());
    assertEquals(DrainStrategy.GRADUAL, o.drainStrategy());
    assertEquals(Duration.ofSeconds(900), o.parentShutdownTime());
    assertEquals(Duration.ofMillis(10_000), o.fileFlushInterval());
    assertEquals(IpVersion.V4, o.localAddressIpVersion());
    assertEquals(0, o.baseId());
    assertEquals(0, o.restartEpoch());
    assertEquals("@envoy_domain_socket", o.socketPath());
    assertEquals(0, o.socketMode());
    assertFalse(o.allowUnknownStaticFields());
    assertEquals(o, Options.defaults());
  }

  @Test
  void everythingPilotAgentPasses() throws Exception {
    // pkg/envoy/proxy.go: args() plus the optional extras, in the order it builds them.
    Options o =
        run(
            "-c", "/etc/istio/proxy/envoy-rev.json",
            "--drain-time-s", "45",
            "--drain-strategy", "immediate",
            "--local-address-ip-version", "v6",
            "--file-flush-interval-msec", "1000",
            "--disable-hot-restart",
            "--allow-unknown-static-fields",
            "-l", "warning",
            "--component-log-level", "misc:error,upstream:debug",
            "--skip-deprecated-logs",
            "--enable-core-dump",
            "--config-yaml", "{\"node\":{\"id\":\"x\"}}",
            "--concurrency", "2",
            "--log-format", "%Y-%m-%dT%T.%fZ\t%l\tenvoy %n %g:%#\t%v\tthread=%t");
    assertEquals("/etc/istio/proxy/envoy-rev.json", o.configPath());
    assertEquals(Path.of("/etc/istio/proxy/envoy-rev.json"), o.configFile());
    assertEquals(Duration.ofSeconds(45), o.drainTime());
    assertEquals(DrainStrategy.IMMEDIATE, o.drainStrategy());
    assertEquals(IpVersion.V6, o.localAddressIpVersion());
    assertEquals(Duration.ofSeconds(1), o.fileFlushInterval());
    assertTrue(o.disableHotRestart());
    assertTrue(o.allowUnknownStaticFields());
    assertEquals(LogLevel.WARNING, o.logLevel());
    assertEquals(
        List.of(new ComponentLogLevel("misc", LogLevel.ERROR),
            new ComponentLogLevel("upstream", LogLevel.DEBUG)),
        o.componentLogLevels());
    assertTrue(o.skipDeprecatedLogs());
    assertTrue(o.enableCoreDump());
    assertEquals("{\"node\":{\"id\":\"x\"}}", o.configYaml());
    assertEquals(2, o.concurrency());
    assertTrue(o.logFormatSet());
    assertEquals("%Y-%m-%dT%T.%fZ\t%l\tenvoy %n %g:%#\t%v\tthread=%t", o.logFormat());
  }

  @Test
  void equalsFormAndShortForms() throws Exception {
    Options o =
        run("-c=envoy.yaml", "-l=debug", "--mode=validate", "--service-node=n1",
            "--service-cluster", "c1", "--service-zone=z", "--base-id=7", "--use-dynamic-base-id",
            "--concurrency=0", "--config-yaml=a: b=c");
    assertEquals("envoy.yaml", o.configPath());
    assertEquals(LogLevel.DEBUG, o.logLevel());
    assertEquals(Mode.VALIDATE, o.mode());
    assertEquals("n1", o.serviceNode());
    assertEquals("c1", o.serviceCluster());
    assertEquals("z", o.serviceZone());
    assertEquals(7, o.baseId());
    assertTrue(o.useDynamicBaseId());
    assertEquals(1, o.concurrency()); // Envoy: max(1, --concurrency)
    assertEquals("a: b=c", o.configYaml()); // only the first '=' splits
    assertEquals(LogLevel.WARNING, run("-l", "warn").logLevel());
    assertEquals(LogLevel.OFF, run("--log-level", "off").logLevel());
    assertEquals(Mode.INIT_ONLY, run("--mode", "init_only").mode());
  }

  @Test
  void lessCommonFlags() throws Exception {
    Options o =
        run("--stats-tag", "region:us-east", "--stats-tag=team:a_b", "--disable-extensions",
            "envoy.filters.http/envoy.filters.http.lua,envoy.x/y", "--socket-path", "/tmp/sock",
            "--socket-mode", "644", "--restart-epoch", "0", "--parent-shutdown-time-s", "5",
            "--allow-unknown-fields", "--reject-unknown-dynamic-fields",
            "--ignore-unknown-dynamic-fields", "--log-path", "/tmp/envoy.log", "--log-format-escaped",
            "--enable-fine-grain-logging", "--cpuset-threads", "--admin-address-path", "/tmp/admin",
            "--enable-mutex-tracing", "--base-id-path", "/tmp/base", "--skip-hot-restart-on-no-parent",
            "--skip-hot-restart-parent-stats");
    assertEquals(List.of(new StatsTag("region", "us-east"), new StatsTag("team", "a_b")), o.statsTags());
    assertEquals(List.of("envoy.filters.http/envoy.filters.http.lua", "envoy.x/y"), o.disabledExtensions());
    assertEquals("/tmp/sock", o.socketPath());
    assertEquals(0644, o.socketMode());
    assertEquals(Duration.ofSeconds(5), o.parentShutdownTime());
    assertTrue(o.allowUnknownStaticFields()); // the deprecated spelling
    assertTrue(o.rejectUnknownDynamicFields() && o.ignoreUnknownDynamicFields());
    assertEquals("/tmp/envoy.log", o.logPath());
    assertTrue(o.logFormatEscaped() && o.enableFineGrainLogging() && o.cpusetThreads());
    assertEquals("/tmp/admin", o.adminAddressPath());
    assertTrue(o.enableMutexTracing() && o.skipHotRestartOnNoParent() && o.skipHotRestartParentStats());
    assertEquals("/tmp/base", o.baseIdPath());
  }

  @Test
  void unknownFlagsAndStrayArguments() {
    assertEquals("error: unknown option '--config-pth' (did you mean '--config-path'?)",
        error("--config-pth", "x"));
    assertEquals("error: unknown option '--frobnicate'", error("--frobnicate"));
    assertEquals("error: unknown option '-x'", error("-x", "1"));
    assertEquals("error: unexpected argument 'envoy.yaml'", error("envoy.yaml"));
    assertEquals("error: unexpected argument 'more'", error("-l", "info", "--", "more"));
  }

  @Test
  void valueProblems() {
    assertEquals("error: option '--concurrency' requires a value", error("--concurrency"));
    assertEquals("error: option '-c' requires a value", error("-c"));
    assertEquals("error: option '--disable-hot-restart' does not take a value",
        error("--disable-hot-restart=true"));
    assertEquals("error: option '--mode' given more than once",
        error("--mode", "serve", "--mode=validate"));
    assertEquals("error: invalid value 'abc' for option '--concurrency': expected an unsigned"
        + " 32-bit integer (0 to 4294967295)", error("--concurrency", "abc"));
    assertEquals("error: invalid value '-1' for option '--drain-time-s': expected an unsigned"
        + " 32-bit integer (0 to 4294967295)", error("--drain-time-s", "-1"));
    assertEquals("error: invalid value '4294967296' for option '--base-id': expected an unsigned"
        + " 32-bit integer (0 to 4294967295)", error("--base-id=4294967296"));
    assertEquals("error: invalid value 'fast' for option '--drain-strategy': expected one of"
        + " gradual, immediate", error("--drain-strategy", "fast"));
    assertEquals("error: invalid value 'serv' for option '--mode': expected one of serve,"
        + " validate, init_only", error("--mode", "serv"));
    assertEquals("error: invalid value 'ipv4' for option '--local-address-ip-version': expected"
        + " one of v4, v6", error("--local-address-ip-version", "ipv4"));
    assertEquals("error: invalid value 'verbose' for option '--log-level': expected one of trace,"
        + " debug, info, warning, warn, error, critical, off", error("-l", "verbose"));
    assertEquals("error: invalid value 'INFO' for option '--log-level': expected one of trace,"
        + " debug, info, warning, warn, error, critical, off", error("-l", "INFO"));
    assertEquals("error: invalid value '6x' for option '--socket-mode': expected an octal file"
        + " mode such as 600", error("--socket-path", "/tmp/s", "--socket-mode", "6x"));
  }

  @Test
  void componentLogLevelProblems() {
    assertEquals("error: invalid value 'upstream' for option '--component-log-level': component"
            + " log level not correctly specified 'upstream' (expected <component>:<level>, e.g."
            + " upstream:debug,config:trace)",
        error("--component-log-level", "upstream"));
    assertEquals("error: invalid value 'upstream:loud' for option '--component-log-level':"
        + " invalid log level specified 'loud'", error("--component-log-level", "upstream:loud"));
    assertEquals("error: invalid value 'misc:error,upstrem:debug' for option"
            + " '--component-log-level': invalid component specified 'upstrem' (did you mean"
            + " 'upstream'?)",
        error("--component-log-level", "misc:error,upstrem:debug"));
  }

  @Test
  void crossFlagAndStatsTagProblems() {
    assertEquals("error: cannot use --restart-epoch=1 with --use-dynamic-base-id",
        error("--use-dynamic-base-id", "--restart-epoch", "1"));
    assertEquals("error: invalid value 'nocolon' for option '--stats-tag': misformatted stats-tag"
        + " (expected tag:value)", error("--stats-tag", "nocolon"));
    assertEquals("error: invalid value 'a-b:c' for option '--stats-tag': misformatted stats-tag,"
        + " tag name 'a-b' may hold only letters, digits and _", error("--stats-tag", "a-b:c"));
    assertEquals("error: invalid value 'a:b.c' for option '--stats-tag': misformatted stats-tag,"
        + " tag value 'b.c' must be non-empty and hold no '.'", error("--stats-tag", "a:b.c"));
    assertEquals("error: invalid value 'a:2' for option '--stats-tag': tag 'a' is given more than"
        + " once", error("--stats-tag", "a:1", "--stats-tag", "a:2"));
  }

  @Test
  void helpVersionAndHotRestartVersionPrintAndExit() throws Exception {
    String help =
        assertInstanceOf(CommandLine.Parsed.Print.class, CommandLine.parse("--help")).text();
    assertEquals(help, ((CommandLine.Parsed.Print) CommandLine.parse("-c", "x", "-h")).text());
    for (String flag :
        List.of("--config-path", "--config-yaml", "--mode", "--log-level", "--component-log-level",
            "--log-format", "--log-path", "--concurrency", "--service-node", "--service-cluster",
            "--service-zone", "--drain-time-s", "--drain-strategy", "--parent-shutdown-time-s",
            "--base-id", "--use-dynamic-base-id", "--disable-hot-restart", "--restart-epoch",
            "--allow-unknown-static-fields", "--reject-unknown-dynamic-fields",
            "--ignore-unknown-dynamic-fields", "--local-address-ip-version",
            "--file-flush-interval-msec", "--skip-deprecated-logs", "--enable-core-dump",
            "--version", "--help")) {
      assertTrue(help.contains(flag + "\n") || help.contains(flag + " <"), flag);
    }
    assertTrue(help.contains("-c <string>,  --config-path <string>"), help);
    String version =
        assertInstanceOf(CommandLine.Parsed.Print.class, CommandLine.parse("--version")).text();
    assertTrue(version.matches("(?s)\ndataplane  version: 0/[^/]+/Clean/RELEASE/Java-\\d+\n\n"),
        version);
    assertEquals("disabled\n",
        assertInstanceOf(CommandLine.Parsed.Print.class, CommandLine.parse("--hot-restart-version"))
            .text());
  }

  @Test
  void usageHintPointsAtHelp() {
    CommandLineException e =
        assertThrows(CommandLineException.class, () -> CommandLine.parse("--nope"));
    assertEquals("For complete USAGE and HELP type: dataplane --help", e.usageHint());
    assertEquals(1, CommandLineException.EXIT_CODE);
  }
}
