package dev.xdsdp.dataplane.formatter;

import dev.xdsdp.api.http.HeaderMap;
import dev.xdsdp.api.stream.Address;
import dev.xdsdp.api.stream.ResponseFlag;
import dev.xdsdp.api.stream.StreamInfo;
import dev.xdsdp.dataplane.formatter.Providers.AddressPart;
import dev.xdsdp.dataplane.formatter.Providers.AddressValue;
import dev.xdsdp.dataplane.formatter.Providers.Constant;
import dev.xdsdp.dataplane.formatter.Providers.Header;
import dev.xdsdp.dataplane.formatter.Providers.HeaderSource;
import dev.xdsdp.dataplane.formatter.Providers.Millis;
import dev.xdsdp.dataplane.formatter.Providers.Text;
import dev.xdsdp.dataplane.formatter.Providers.Unavailable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The built-in command operators, by name, with the syntax each accepts: Envoy's HTTP command
 * parser followed by its stream info table. Operators whose data this data plane does not
 * track yet (TLS details, wire byte meters, ...) are still accepted so that Envoy configs load,
 * and print what Envoy prints without the data: {@code -}, or 0 for byte counts.
 */
final class Commands {

  static final int COMMAND_ONLY = 0;
  static final int PARAMS_REQUIRED = 1;
  static final int PARAMS_OPTIONAL = 2;
  static final int LENGTH_ALLOWED = 4;

  /** Builds a provider from the operator's argument (empty when none) and length (-1: none). */
  @FunctionalInterface
  interface Factory {
    FormatterProvider create(String arg, int maxLength) throws FormatterException;
  }

  record Command(int flags, Factory factory) {}

  private static final Map<String, Command> COMMANDS = build();

  private Commands() {}

  static Command lookup(String name) {
    return COMMANDS.get(name);
  }

  /** Envoy's {@code CommandSyntaxChecker::verifySyntax}. */
  static void verifySyntax(int flags, String command, String arg, int maxLength)
      throws FormatterException {
    if (flags == COMMAND_ONLY && (!arg.isEmpty() || maxLength >= 0)) {
      throw new FormatterException(command + " does not take any parameters or length");
    }
    if ((flags & PARAMS_REQUIRED) != 0 && arg.isEmpty()) {
      throw new FormatterException(command + " requires parameters");
    }
    if ((flags & LENGTH_ALLOWED) == 0 && maxLength >= 0) {
      throw new FormatterException(command + " does not allow length to be specified.");
    }
  }

  private static Map<String, Command> build() {
    Map<String, Command> m = new HashMap<>();

    // HTTP operators (Envoy's HttpBuiltInCommandParser).
    header(m, "REQ", HeaderSource.REQUEST);
    header(m, "RESP", HeaderSource.RESPONSE);
    header(m, "TRAILER", HeaderSource.TRAILERS);
    header(m, "STREAM_INFO_REQ", HeaderSource.STREAM_INFO_REQUEST);
    simple(m, "LOCAL_REPLY_BODY", new Text(FormatterContext::localReplyBody));
    simple(m, "ACCESS_LOG_TYPE", new Text(ctx -> ctx.accessLogType().name()));
    m.put("GRPC_STATUS", new Command(PARAMS_OPTIONAL, (arg, len) -> GrpcStatusProvider.create(arg)));
    simple(m, "GRPC_STATUS_NUMBER", new GrpcStatusProvider(GrpcStatusProvider.Style.NUMBER));
    simple(m, "REQUEST_HEADERS_BYTES", new Providers.Number(ctx -> bytes(ctx.requestHeaders())));
    simple(m, "RESPONSE_HEADERS_BYTES", new Providers.Number(ctx -> bytes(ctx.responseHeaders())));
    simple(m, "RESPONSE_TRAILERS_BYTES",
        new Providers.Number(ctx -> bytes(ctx.responseTrailers())));

    // Durations.
    simple(m, "REQUEST_DURATION", new Millis(StreamInfo::lastDownstreamRxByteReceived));
    simple(m, "REQUEST_TX_DURATION", new Millis(StreamInfo::lastUpstreamTxByteSent));
    simple(m, "RESPONSE_DURATION", new Millis(StreamInfo::firstUpstreamRxByteReceived));
    simple(m, "RESPONSE_TX_DURATION", new Millis(Commands::responseTxNanos));
    simple(m, "DURATION", new Millis(Commands::currentDurationNanos));
    simple(m, "DOWNSTREAM_HANDSHAKE_DURATION", new Millis(info -> Providers.MISSING));
    simple(m, "ROUNDTRIP_DURATION", new Millis(info -> Providers.MISSING));
    simple(m, "UPSTREAM_CONNECTION_POOL_READY_DURATION", new Millis(info -> Providers.MISSING));
    m.put("COMMON_DURATION",
        new Command(PARAMS_REQUIRED, (arg, len) -> TimeProviders.commonDuration(arg)));

    // Byte counts.
    simple(m, "BYTES_RECEIVED", Providers.infoNumber(StreamInfo::bytesReceived));
    simple(m, "BYTES_SENT", Providers.infoNumber(StreamInfo::bytesSent));
    for (String unmetered : List.of(
        "BYTES_RETRANSMITTED", "PACKETS_RETRANSMITTED",
        "UPSTREAM_WIRE_BYTES_RECEIVED", "UPSTREAM_HEADER_BYTES_RECEIVED",
        "UPSTREAM_DECOMPRESSED_HEADER_BYTES_RECEIVED", "DOWNSTREAM_WIRE_BYTES_RECEIVED",
        "DOWNSTREAM_HEADER_BYTES_RECEIVED", "DOWNSTREAM_DECOMPRESSED_HEADER_BYTES_RECEIVED",
        "UPSTREAM_WIRE_BYTES_SENT", "UPSTREAM_HEADER_BYTES_SENT",
        "UPSTREAM_DECOMPRESSED_HEADER_BYTES_SENT", "DOWNSTREAM_WIRE_BYTES_SENT",
        "DOWNSTREAM_HEADER_BYTES_SENT", "DOWNSTREAM_DECOMPRESSED_HEADER_BYTES_SENT",
        "UPSTREAM_CONNECTION_ID")) {
      simple(m, unmetered, Providers.zero());
    }

    // Protocol, response.
    simple(m, "PROTOCOL", Providers.info(info -> info.protocol() == null ? null : info.protocol().text()));
    simple(m, "RESPONSE_CODE", Providers.infoNumber(StreamInfo::responseCode));
    m.put("RESPONSE_CODE_DETAILS", new Command(PARAMS_OPTIONAL, (arg, len) -> {
      boolean allowWhitespaces = arg.equals("ALLOW_WHITESPACES");
      return Providers.info(info -> {
        String d = info.responseCodeDetails();
        if (d == null || d.isEmpty()) {
          return null;
        }
        return allowWhitespaces ? d : replaceWhitespace(d);
      });
    }));
    // Envoy prints the (possibly empty) custom flags string, never "-".
    simple(m, "CUSTOM_FLAGS", new Constant(""));
    simple(m, "RESPONSE_FLAGS", Providers.info(info -> flags(info, false)));
    simple(m, "RESPONSE_FLAGS_LONG", Providers.info(info -> flags(info, true)));

    // Upstream.
    simple(m, "UPSTREAM_HOST", address(StreamInfo::upstreamHost, AddressPart.WITH_PORT));
    simple(m, "UPSTREAM_HOST_NAME", address(StreamInfo::upstreamHost, AddressPart.WITH_PORT));
    simple(m, "UPSTREAM_HOST_NAME_WITHOUT_PORT", Providers.info(info -> hostWithoutPort(info.upstreamHost())));
    simple(m, "UPSTREAM_CLUSTER", Providers.info(info -> emptyToNull(info.upstreamClusterName())));
    simple(m, "UPSTREAM_CLUSTER_RAW", Providers.info(info -> emptyToNull(info.upstreamClusterName())));
    addresses(m, "UPSTREAM_LOCAL", StreamInfo::upstreamLocalAddress);
    addresses(m, "UPSTREAM_REMOTE", StreamInfo::upstreamHost);
    simple(m, "UPSTREAM_REQUEST_ATTEMPT_COUNT", Providers.infoNumber(StreamInfo::attemptCount));
    simple(m, "UPSTREAM_TRANSPORT_FAILURE_REASON", Providers.info(info -> {
      String r = info.upstreamTransportFailureReason();
      return r == null || r.isEmpty() ? null : r.replace(' ', '_');
    }));

    // Downstream.
    addresses(m, "DOWNSTREAM_LOCAL", StreamInfo::downstreamLocalAddress);
    addresses(m, "DOWNSTREAM_DIRECT_LOCAL", StreamInfo::downstreamLocalAddress);
    addresses(m, "DOWNSTREAM_REMOTE", StreamInfo::downstreamRemoteAddress);
    addresses(m, "DOWNSTREAM_DIRECT_REMOTE", StreamInfo::downstreamDirectRemoteAddress);
    simple(m, "CONNECTION_ID", Providers.infoNumber(StreamInfo::connectionId));
    simple(m, "REQUESTED_SERVER_NAME", Providers.info(info -> {
      String sni = info.requestedServerName();
      return sni == null || sni.isEmpty() ? null : sanitizeHostname(sni);
    }));
    simple(m, "ROUTE_NAME", Providers.info(info -> emptyToNull(info.routeName())));
    simple(m, "STREAM_ID", Providers.info(info -> emptyToNull(info.requestId())));
    simple(m, "UNIQUE_ID", Providers.info(info -> UUID.randomUUID().toString()));
    m.put("HOSTNAME", new Command(COMMAND_ONLY, (arg, len) -> new Constant(Hostname.VALUE)));
    m.put("ENVIRONMENT", new Command(PARAMS_REQUIRED | LENGTH_ALLOWED, (arg, len) -> {
      String v = System.getenv(arg);
      // Envoy substitutes "-" itself, so the value is present even with omit_empty_values.
      return new Constant(v == null ? "-" : Providers.truncate(v, len));
    }));

    // Times.
    time(m, "START_TIME", false, TimeProviders::startTime);
    time(m, "START_TIME_LOCAL", true, TimeProviders::startTime);
    time(m, "EMIT_TIME", false, TimeProviders::now);
    time(m, "EMIT_TIME_LOCAL", true, TimeProviders::now);
    for (String cert : List.of(
        "DOWNSTREAM_PEER_CERT_V_START", "DOWNSTREAM_PEER_CERT_V_END",
        "UPSTREAM_PEER_CERT_V_START", "UPSTREAM_PEER_CERT_V_END")) {
      time(m, cert, false, info -> Providers.MISSING);
    }

    // Metadata and filter state.
    m.put("DYNAMIC_METADATA", new Command(PARAMS_REQUIRED | LENGTH_ALLOWED, (arg, len) -> {
      List<String> parts = Arrays.asList(arg.split(":", -1));
      return new MetadataProvider(parts.get(0), parts.subList(1, parts.size()), len);
    }));
    m.put("CLUSTER_METADATA", new Command(PARAMS_REQUIRED | LENGTH_ALLOWED,
        (arg, len) -> new Unavailable("CLUSTER_METADATA")));
    m.put("UPSTREAM_METADATA", new Command(PARAMS_REQUIRED | LENGTH_ALLOWED,
        (arg, len) -> new Unavailable("UPSTREAM_METADATA")));
    m.put("FILTER_STATE", new Command(PARAMS_OPTIONAL | LENGTH_ALLOWED,
        (arg, len) -> FilterStateProvider.create(arg, len, false)));
    m.put("UPSTREAM_FILTER_STATE", new Command(PARAMS_OPTIONAL | LENGTH_ALLOWED,
        (arg, len) -> FilterStateProvider.create(arg, len, true)));

    // Facts not tracked by this data plane's StreamInfo yet: TLS, filter chains, virtual
    // clusters, upstream protocol, connection termination details.
    for (String unavailable : List.of(
        "UPSTREAM_PROTOCOL", "CONNECTION_TERMINATION_DETAILS", "FILTER_CHAIN_NAME",
        "VIRTUAL_CLUSTER_NAME", "DOWNSTREAM_TRANSPORT_FAILURE_REASON",
        "TLS_JA3_FINGERPRINT", "TLS_JA4_FINGERPRINT",
        "UPSTREAM_TLS_CIPHER", "UPSTREAM_TLS_VERSION", "UPSTREAM_TLS_SESSION_ID",
        "UPSTREAM_PEER_ISSUER", "UPSTREAM_PEER_CERT", "UPSTREAM_PEER_SUBJECT",
        "UPSTREAM_PEER_URI_SAN", "UPSTREAM_PEER_DNS_SAN", "UPSTREAM_PEER_IP_SAN",
        "UPSTREAM_LOCAL_URI_SAN", "UPSTREAM_LOCAL_DNS_SAN", "UPSTREAM_LOCAL_IP_SAN",
        "DOWNSTREAM_PEER_URI_SAN", "DOWNSTREAM_PEER_DNS_SAN", "DOWNSTREAM_PEER_IP_SAN",
        "DOWNSTREAM_PEER_EMAIL_SAN", "DOWNSTREAM_PEER_OTHERNAME_SAN",
        "DOWNSTREAM_LOCAL_URI_SAN", "DOWNSTREAM_LOCAL_DNS_SAN", "DOWNSTREAM_LOCAL_IP_SAN",
        "DOWNSTREAM_LOCAL_EMAIL_SAN", "DOWNSTREAM_LOCAL_OTHERNAME_SAN",
        "DOWNSTREAM_PEER_SUBJECT", "DOWNSTREAM_LOCAL_SUBJECT", "DOWNSTREAM_TLS_SESSION_ID",
        "DOWNSTREAM_TLS_CIPHER", "DOWNSTREAM_TLS_VERSION", "DOWNSTREAM_PEER_FINGERPRINT_256",
        "DOWNSTREAM_PEER_FINGERPRINT_1", "DOWNSTREAM_PEER_SERIAL",
        "DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_256", "DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_1",
        "DOWNSTREAM_PEER_CHAIN_SERIALS", "DOWNSTREAM_PEER_ISSUER", "DOWNSTREAM_PEER_CERT")) {
      simple(m, unavailable, new Unavailable(unavailable));
    }
    return Map.copyOf(m);
  }

  private static void simple(Map<String, Command> m, String name, FormatterProvider p) {
    m.put(name, new Command(COMMAND_ONLY, (arg, len) -> p));
  }

  private static void header(Map<String, Command> m, String name, HeaderSource source) {
    m.put(name, new Command(PARAMS_REQUIRED | LENGTH_ALLOWED, (arg, len) -> {
      String[] names = headerNames(arg);
      return new Header(source, names[0], names[1], len);
    }));
  }

  private static void time(Map<String, Command> m, String name, boolean local,
      java.util.function.ToLongFunction<StreamInfo> epochNanos) {
    m.put(name, new Command(PARAMS_OPTIONAL,
        (arg, len) -> TimeProviders.systemTime(arg, local, epochNanos)));
  }

  private static FormatterProvider address(Function<StreamInfo, Address> f, AddressPart part) {
    return new AddressValue(f, part);
  }

  /** {@code X_ADDRESS}, {@code X_ADDRESS_WITHOUT_PORT} and {@code X_PORT}. */
  private static void addresses(Map<String, Command> m, String prefix, Function<StreamInfo, Address> f) {
    simple(m, prefix + "_ADDRESS", address(f, AddressPart.WITH_PORT));
    simple(m, prefix + "_ADDRESS_WITHOUT_PORT", address(f, AddressPart.WITHOUT_PORT));
    simple(m, prefix + "_PORT", address(f, AddressPart.JUST_PORT));
  }

  /** Envoy's {@code parseSubcommandHeaders}: {@code X?Y}, lower-cased and validated. */
  static String[] headerNames(String arg) throws FormatterException {
    String[] parts = arg.split("\\?", -1);
    if (parts.length > 2) {
      throw new FormatterException("More than 1 alternative header specified in token: " + arg);
    }
    String main = parts[0].toLowerCase(Locale.ROOT);
    String alternative = parts.length > 1 ? parts[1].toLowerCase(Locale.ROOT) : "";
    if (!validHeaderName(main) || !validHeaderName(alternative)) {
      throw new FormatterException(
          "Invalid header configuration. Format string contains invalid characters.");
    }
    return new String[] {main, alternative};
  }

  /** RFC 9110 token characters, with a leading {@code :} for pseudo-headers. */
  private static boolean validHeaderName(String name) {
    int start = !name.isEmpty() && name.charAt(0) == ':' ? 1 : 0;
    if (start == 1 && name.length() == 1) {
      return false;
    }
    for (int i = start; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean token = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!token) {
        return false;
      }
    }
    return true;
  }

  private static long bytes(HeaderMap headers) {
    return headers == null ? 0 : headers.byteSize();
  }

  static long currentDurationNanos(StreamInfo info) {
    long complete = info.requestCompleteNanos();
    return complete >= 0 ? complete : System.nanoTime() - info.startNanos();
  }

  private static long responseTxNanos(StreamInfo info) {
    long downstream = info.lastDownstreamTxByteSent();
    long upstream = info.firstUpstreamRxByteReceived();
    return downstream < 0 || upstream < 0 ? Providers.MISSING : downstream - upstream;
  }

  /** {@code %RESPONSE_FLAGS%}: set flags in bit order, comma separated, or {@code -}. */
  static String flags(StreamInfo info, boolean longNames) {
    if (info.responseFlags().isEmpty()) {
      return "-";
    }
    StringBuilder sb = new StringBuilder();
    for (ResponseFlag f : ResponseFlag.values()) {
      if (info.hasResponseFlag(f)) {
        if (!sb.isEmpty()) {
          sb.append(',');
        }
        sb.append(longNames ? longName(f) : f.shortName());
      }
    }
    return sb.toString();
  }

  /** Envoy's PascalCase flag names for {@code %RESPONSE_FLAGS_LONG%}. */
  static String longName(ResponseFlag f) {
    return switch (f) {
      case FAILED_LOCAL_HEALTH_CHECK -> "FailedLocalHealthCheck";
      case NO_HEALTHY_UPSTREAM -> "NoHealthyUpstream";
      case UPSTREAM_REQUEST_TIMEOUT -> "UpstreamRequestTimeout";
      case LOCAL_RESET -> "LocalReset";
      case UPSTREAM_REMOTE_RESET -> "UpstreamRemoteReset";
      case UPSTREAM_CONNECTION_FAILURE -> "UpstreamConnectionFailure";
      case UPSTREAM_CONNECTION_TERMINATION -> "UpstreamConnectionTermination";
      case UPSTREAM_OVERFLOW -> "UpstreamOverflow";
      case NO_ROUTE_FOUND -> "NoRouteFound";
      case DELAY_INJECTED -> "DelayInjected";
      case FAULT_INJECTED -> "FaultInjected";
      case RATE_LIMITED -> "RateLimited";
      case UNAUTHORIZED_EXTERNAL_SERVICE -> "UnauthorizedExternalService";
      case RATE_LIMIT_SERVICE_ERROR -> "RateLimitServiceError";
      case DOWNSTREAM_CONNECTION_TERMINATION -> "DownstreamConnectionTermination";
      case UPSTREAM_RETRY_LIMIT_EXCEEDED -> "UpstreamRetryLimitExceeded";
      case STREAM_IDLE_TIMEOUT -> "StreamIdleTimeout";
      case INVALID_ENVOY_REQUEST_HEADERS -> "InvalidEnvoyRequestHeaders";
      case DOWNSTREAM_PROTOCOL_ERROR -> "DownstreamProtocolError";
      case UPSTREAM_MAX_STREAM_DURATION_REACHED -> "UpstreamMaxStreamDurationReached";
      case RESPONSE_FROM_CACHE_FILTER -> "ResponseFromCacheFilter";
      case NO_FILTER_CONFIG_FOUND -> "NoFilterConfigFound";
      case DURATION_TIMEOUT -> "DurationTimeout";
      case UPSTREAM_PROTOCOL_ERROR -> "UpstreamProtocolError";
      case NO_CLUSTER_FOUND -> "NoClusterFound";
      case OVERLOAD_MANAGER -> "OverloadManagerTerminated";
      case DNS_RESOLUTION_FAILED -> "DnsResolutionFailed";
      case DROP_OVERLOAD -> "DropOverload";
      case DOWNSTREAM_REMOTE_RESET -> "DownstreamRemoteReset";
    };
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** Envoy's {@code stripPortFromHost} over the host's address: brackets stay on IPv6. */
  private static String hostWithoutPort(Address a) {
    if (a == null) {
      return null;
    }
    if (a.isPipe()) {
      return a.pipePath();
    }
    return a.ip().indexOf(':') >= 0 ? "[" + a.ip() + "]" : a.ip();
  }

  /** Envoy's {@code StringUtil::replaceAllEmptySpace}. */
  private static String replaceWhitespace(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\t' || c == '\f' || c == '\u000b' || c == '\n' || c == '\r') {
        if (sb == null) {
          sb = new StringBuilder(s);
        }
        sb.setCharAt(i, '_');
      }
    }
    return sb == null ? s : sb.toString();
  }

  /** Envoy's {@code sanitizeInvalidHostname}: characters not valid in a hostname become '_'. */
  private static String sanitizeHostname(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '-';
      sb.append(ok ? c : '_');
    }
    return sb.toString();
  }

  /** The machine's hostname (gethostname), read once. */
  private static final class Hostname {
    static final String VALUE = read();

    private static String read() {
      try {
        String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        if (!h.isEmpty()) {
          return h;
        }
      } catch (IOException | RuntimeException e) {
        // Not Linux: fall through.
      }
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        return null;
      }
    }
  }
}
