package dev.xdsdp.dataplane.stats;

import java.util.ArrayList;
import java.util.List;

/**
 * Envoy's default tag extraction rules ({@code Config::TagNameValues} in
 * {@code source/common/config/well_known_names.cc}), in Envoy's order: the RE2 rules first, then
 * the tokenized ones. Each rule is designed not to interfere with the others in either order.
 */
public final class DefaultTagNames {

  public static final String RESPONSE_CODE = "envoy.response_code";
  public static final String RESPONSE_CODE_CLASS = "envoy.response_code_class";
  public static final String DYNAMO_PARTITION_ID = "envoy.dynamo_partition_id";
  public static final String DYNAMO_OPERATION = "envoy.dynamo_operation";
  public static final String MONGO_CALLSITE = "envoy.mongo_callsite";
  public static final String DYNAMO_TABLE = "envoy.dynamo_table";
  public static final String MONGO_COLLECTION = "envoy.mongo_collection";
  public static final String MONGO_CMD = "envoy.mongo_cmd";
  public static final String GRPC_BRIDGE_METHOD = "envoy.grpc_bridge_method";
  public static final String HTTP_USER_AGENT = "envoy.http_user_agent";
  public static final String VIRTUAL_CLUSTER = "envoy.virtual_cluster";
  public static final String FAULT_DOWNSTREAM_CLUSTER = "envoy.fault_downstream_cluster";
  public static final String SSL_CIPHER = "envoy.ssl_cipher";
  public static final String SSL_CURVE = "envoy.ssl_curve";
  public static final String SSL_SIGALG = "envoy.ssl_sigalg";
  public static final String SSL_VERSION = "envoy.ssl_version";
  // Envoy spells this one without the "envoy." prefix.
  public static final String SSL_CIPHER_SUITE = "cipher_suite";
  public static final String GRPC_BRIDGE_SERVICE = "envoy.grpc_bridge_service";
  public static final String TCP_PREFIX = "envoy.tcp_prefix";
  public static final String UDP_PREFIX = "envoy.udp_prefix";
  public static final String CLIENTSSL_PREFIX = "envoy.clientssl_prefix";
  public static final String RATELIMIT_PREFIX = "envoy.ratelimit_prefix";
  public static final String CLUSTER_NAME = "envoy.cluster_name";
  public static final String HTTP_CONN_MANAGER_PREFIX = "envoy.http_conn_manager_prefix";
  public static final String EXT_AUTHZ_PREFIX = "envoy.ext_authz_prefix";
  public static final String WORKER_ID = "envoy.worker_id";
  public static final String LISTENER_ADDRESS = "envoy.listener_address";
  public static final String VIRTUAL_HOST = "envoy.virtual_host";
  public static final String MONGO_PREFIX = "envoy.mongo_prefix";
  public static final String RDS_ROUTE_CONFIG = "envoy.rds_route_config";
  public static final String ROUTE = "envoy.route";
  public static final String THRIFT_PREFIX = "envoy.thrift_prefix";
  public static final String REDIS_PREFIX = "envoy.redis_prefix";
  public static final String LOCAL_HTTP_RATELIMIT_PREFIX = "envoy.local_http_ratelimit_prefix";
  public static final String LOCAL_NETWORK_RATELIMIT_PREFIX = "envoy.local_network_ratelimit_prefix";
  public static final String LOCAL_LISTENER_RATELIMIT_PREFIX = "envoy.local_listener_ratelimit_prefix";
  public static final String DNS_FILTER_PREFIX = "envoy.dns_filter_prefix";

  /** A built-in RE2 rule; the regex is already expanded. */
  record Re2Rule(String name, String regex, String substr, String negativeMatch) {}

  /** A built-in tokenized rule. */
  record TokenRule(String name, String pattern) {}

  static final List<Re2Rule> RE2_RULES;
  static final List<TokenRule> TOKEN_RULES;

  private static final String TAG_VALUE = "[^\\.]+";
  private static final String ADDRESS =
      "(?:(?:\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|\\[[a-fA-F_\\d]+\\])_\\d+)";

  static {
    List<Re2Rule> re2 = new ArrayList<>();
    List<TokenRule> tokens = new ArrayList<>();

    // *_rq(_<response_code>)
    re2.add(re2(RESPONSE_CODE, "_rq(_(\\d{3}))$", "_rq_", ""));
    // *_rq_(<response_code_class>)xx
    re2.add(re2(RESPONSE_CODE_CLASS, "_rq_((\\d))xx$", "_rq_", ""));
    // http.[<stat_prefix>.]dynamodb.table.[<table_name>.]capacity.[<operation_name>.](__partition_id=<id>)
    re2.add(re2(DYNAMO_PARTITION_ID,
        "^http\\.<TAG_VALUE>\\.dynamodb\\.table\\.<TAG_VALUE>\\.capacity\\.<TAG_VALUE>(\\.__partition_id=(\\w{7}))$",
        ".dynamodb.table.", ""));
    // http.[<stat_prefix>.]dynamodb.operation.(<operation_name>.)* or
    // http.[<stat_prefix>.]dynamodb.table.[<table_name>.]capacity.(<operation_name>.)[<partition_id>]
    re2.add(re2(DYNAMO_OPERATION,
        "^http\\.<TAG_VALUE>\\.dynamodb.(?:operation|table\\.<TAG_VALUE>\\.capacity)(\\.(<TAG_VALUE>))(?:\\.|$)",
        ".dynamodb.", ""));
    tokens.add(new TokenRule(MONGO_CALLSITE, "mongo.*.collection.*.callsite.$.query.**"));
    // http.[<stat_prefix>.]dynamodb.table.(<table_name>.)* or ...dynamodb.error.(<table_name>.)*
    re2.add(re2(DYNAMO_TABLE, "^http\\.<TAG_VALUE>\\.dynamodb.(?:table|error)\\.((<TAG_VALUE>)\\.)",
        ".dynamodb.", ""));
    tokens.add(new TokenRule(MONGO_COLLECTION, "mongo.*.collection.$.**.query.*"));
    tokens.add(new TokenRule(MONGO_CMD, "mongo.*.cmd.$.**"));
    tokens.add(new TokenRule(GRPC_BRIDGE_METHOD, "cluster.*.grpc.*.$.**"));
    tokens.add(new TokenRule(HTTP_USER_AGENT, "http.*.user_agent.$.**"));
    tokens.add(new TokenRule(VIRTUAL_CLUSTER, "vhost.*.vcluster.$.**"));
    tokens.add(new TokenRule(FAULT_DOWNSTREAM_CLUSTER, "http.*.fault.$.**"));
    // listener.[<address>.]ssl.ciphers.(<cipher>)
    re2.add(re2(SSL_CIPHER, "^listener\\..*?\\.ssl\\.ciphers(\\.(<CIPHER>))$", ".ssl.ciphers.", ""));
    re2.add(re2(SSL_CURVE, "^<LISTENER_OR_CLUSTER_WITH_NAME>\\.ssl\\.curves(\\.(<CIPHER>))$",
        ".ssl.curves.", ""));
    re2.add(re2(SSL_SIGALG, "^<LISTENER_OR_CLUSTER_WITH_NAME>\\.ssl\\.sigalgs(\\.(<CIPHER>))$",
        ".ssl.sigalgs.", ""));
    re2.add(re2(SSL_VERSION, "^<LISTENER_OR_CLUSTER_WITH_NAME>\\.ssl\\.versions(\\.(<TLS_VERSION>))$",
        ".ssl.versions.", ""));
    // cluster.[<cluster_name>.]ssl.ciphers.(<cipher>)
    re2.add(re2(SSL_CIPHER_SUITE, "^cluster\\.<TAG_VALUE>\\.ssl\\.ciphers(\\.(<CIPHER>))$",
        ".ssl.ciphers.", ""));
    tokens.add(new TokenRule(GRPC_BRIDGE_SERVICE, "cluster.*.grpc.$.**"));
    tokens.add(new TokenRule(TCP_PREFIX, "tcp.$.**"));
    tokens.add(new TokenRule(UDP_PREFIX, "udp.$.**"));
    tokens.add(new TokenRule(CLIENTSSL_PREFIX, "auth.clientssl.$.**"));
    tokens.add(new TokenRule(RATELIMIT_PREFIX, "ratelimit.$.**"));
    tokens.add(new TokenRule(CLUSTER_NAME, "cluster.$.**"));
    // listener.[<address>.]http.(<stat_prefix>.)*
    re2.add(re2(HTTP_CONN_MANAGER_PREFIX, "^listener\\..*?\\.http\\.((<TAG_VALUE>)\\.)", ".http.", ""));
    tokens.add(new TokenRule(EXT_AUTHZ_PREFIX, "cluster.*.ext_authz.$.**"));
    tokens.add(new TokenRule(EXT_AUTHZ_PREFIX, "http.*.ext_authz.$.**"));
    tokens.add(new TokenRule(HTTP_CONN_MANAGER_PREFIX, "http.$.**"));
    // listener.<address|stat_prefix>.(worker_<id>.)*, listener_manager.(worker_<id>.)*,
    // server.(worker_<id>.)*
    re2.add(re2(WORKER_ID,
        "^(?:listener\\.(?:<ADDRESS>|<TAG_VALUE>)\\.|server\\.|listener_manager\\.)worker_((\\d+)\\.)",
        "", ""));
    // listener.(<address|stat_prefix>.)*, but not "admin"
    re2.add(re2(LISTENER_ADDRESS, "^listener\\.((<ADDRESS>|<TAG_VALUE>)\\.)", "", "admin"));
    tokens.add(new TokenRule(VIRTUAL_HOST, "vhost.$.**"));
    tokens.add(new TokenRule(MONGO_PREFIX, "mongo.$.**"));
    // http.[<stat_prefix>.]rds.(<route_config_name>.)<base_stat>; route names may contain dots.
    re2.add(re2(RDS_ROUTE_CONFIG, "^http\\.<TAG_VALUE>\\.rds\\.((<ROUTE_CONFIG_NAME>)\\.)\\w+?$",
        ".rds.", ""));
    tokens.add(new TokenRule(ROUTE, "vhost.*.route.$.**"));
    tokens.add(new TokenRule(THRIFT_PREFIX, "thrift.$.**"));
    tokens.add(new TokenRule(REDIS_PREFIX, "redis.$.**"));
    tokens.add(new TokenRule(LOCAL_HTTP_RATELIMIT_PREFIX, "$.http_local_rate_limit.**"));
    tokens.add(new TokenRule(LOCAL_NETWORK_RATELIMIT_PREFIX, "local_rate_limit.$.**"));
    tokens.add(new TokenRule(LOCAL_LISTENER_RATELIMIT_PREFIX, "listener_local_ratelimit.$.**"));
    tokens.add(new TokenRule(DNS_FILTER_PREFIX, "dns_filter.$.**"));

    RE2_RULES = List.copyOf(re2);
    TOKEN_RULES = List.copyOf(tokens);
  }

  private DefaultTagNames() {}

  private static Re2Rule re2(String name, String regex, String substr, String negativeMatch) {
    return new Re2Rule(name, expand(regex), substr, negativeMatch);
  }

  /** Envoy's {@code expandRegex}: the shared sub-patterns written as placeholders above. */
  static String expand(String regex) {
    return regex
        .replace("<ADDRESS>", ADDRESS)
        .replace("<CIPHER>", "[\\w-]+")
        .replace("<TLS_VERSION>", "TLSv\\d\\.\\d")
        .replace("<TAG_VALUE>", TAG_VALUE)
        .replace("<ROUTE_CONFIG_NAME>", "[\\w-\\.]+")
        .replace("<LISTENER_OR_CLUSTER_WITH_NAME>", "(?:listener|cluster)\\..*?");
  }

  /** Whether a tag name has a built-in rule (a {@code stats_tags} entry may name it without a regex). */
  static boolean isDefault(String name) {
    return RE2_RULES.stream().anyMatch(r -> r.name().equals(name))
        || TOKEN_RULES.stream().anyMatch(r -> r.name().equals(name));
  }
}
