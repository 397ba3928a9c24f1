package dev.xdsdp.xds.bootstrap;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TextFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads an Envoy v3 bootstrap the way Envoy's {@code InstanceUtil::loadBootstrapConfig} does:
 * the {@code --config-path} file (format by extension: {@code .yaml}/{@code .yml} YAML,
 * {@code .json} JSON, {@code .pb} binary proto, {@code .pb_text} text proto, anything else YAML,
 * which covers JSON too), then the {@code --config-yaml} string parsed as its own Bootstrap and
 * merged over it with protobuf merge semantics (repeated fields append, singular fields and
 * messages replace or merge field by field).
 *
 * <pre>{@code
 * LoadedBootstrap loaded = BootstrapLoader.load(options.configPath(), options.configYaml(),
 *     options.allowUnknownStaticFields());
 * loaded.log(System.getLogger("config"), options.skipDeprecatedLogs());
 * Bootstrap bootstrap = loaded.bootstrap();
 * }</pre>
 */
public final class BootstrapLoader {

  /** The name {@code --config-yaml} content goes by in error messages. */
  public static final String CONFIG_YAML_SOURCE = "--config-yaml";

  static final String NOTHING_TO_LOAD =
      "At least one of --config-path or --config-yaml or Options::configProto() should be non-empty";

  private BootstrapLoader() {}

  /**
   * Loads and merges the file and the inline YAML. Either may be null or empty, not both.
   *
   * @throws BootstrapException naming the file (or {@code --config-yaml}) and the field
   */
  public static LoadedBootstrap load(Path configPath, String configYaml, boolean allowUnknownFields)
      throws BootstrapException {
    boolean hasPath = configPath != null && !configPath.toString().isEmpty();
    boolean hasYaml = configYaml != null && !configYaml.isEmpty();
    if (!hasPath && !hasYaml) {
      throw new BootstrapException("", NOTHING_TO_LOAD, null);
    }
    List<String> warnings = new ArrayList<>();
    List<String> deprecations = new ArrayList<>();
    Bootstrap.Builder bootstrap = Bootstrap.newBuilder();
    if (hasPath) {
      LoadedBootstrap file = loadFile(configPath, allowUnknownFields);
      bootstrap.mergeFrom(file.bootstrap());
      warnings.addAll(file.warnings());
      deprecations.addAll(file.deprecations());
    }
    if (hasYaml) {
      LoadedBootstrap inline = loadYaml(configYaml, CONFIG_YAML_SOURCE, allowUnknownFields);
      bootstrap.mergeFrom(inline.bootstrap());
      warnings.addAll(inline.warnings());
      deprecations.addAll(inline.deprecations());
    }
    return new LoadedBootstrap(bootstrap.build(), warnings, deprecations);
  }

  /** Loads one bootstrap file; its format follows its extension. */
  public static LoadedBootstrap loadFile(Path path, boolean allowUnknownFields)
      throws BootstrapException {
    String source = path.toString();
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    try {
      if (name.endsWith(".pb_text")) {
        return loadText(readText(path, source), source, allowUnknownFields);
      }
      if (name.endsWith(".pb")) {
        return loadBinary(readBytes(path, source), source, allowUnknownFields);
      }
      Bootstrap.Builder builder = Bootstrap.newBuilder();
      ParseNotes notes =
          name.endsWith(".json")
              ? EnvoyJson.parseJson(readText(path, source), builder, source, allowUnknownFields)
              : EnvoyJson.parse(readText(path, source), builder, source, allowUnknownFields);
      return new LoadedBootstrap(builder.build(), notes.warnings(), notes.deprecations());
    } catch (BootstrapException e) {
      throw e;
    } catch (ConfigParseException e) {
      throw new BootstrapException(e);
    }
  }

  /** Loads a bootstrap from a YAML (or JSON) string, as {@code --config-yaml} is. */
  public static LoadedBootstrap loadYaml(String yaml, String sourceName, boolean allowUnknownFields)
      throws BootstrapException {
    try {
      Bootstrap.Builder builder = Bootstrap.newBuilder();
      ParseNotes notes = EnvoyJson.parse(yaml, builder, sourceName, allowUnknownFields);
      return new LoadedBootstrap(builder.build(), notes.warnings(), notes.deprecations());
    } catch (ConfigParseException e) {
      throw new BootstrapException(e);
    }
  }

  private static LoadedBootstrap loadText(String text, String source, boolean allowUnknownFields)
      throws ConfigParseException {
    TextFormat.Parser parser =
        TextFormat.Parser.newBuilder()
            .setTypeRegistry(EnvoyTypeRegistry.get().typeRegistry())
            .setAllowUnknownFields(allowUnknownFields)
            .setAllowUnknownExtensions(allowUnknownFields)
            .build();
    Bootstrap.Builder builder = Bootstrap.newBuilder();
    try {
      parser.merge(text, builder);
    } catch (TextFormat.ParseException e) {
      String message = String.valueOf(e.getMessage()).replaceFirst("^\\d+:\\d+: ", "");
      throw ConfigParseException.atLine(source, Math.max(e.getLine(), 0), message, e);
    }
    Bootstrap bootstrap = TypedStructs.unwrapAll(builder.build(), source);
    return new LoadedBootstrap(bootstrap, List.of(), List.of());
  }

  private static LoadedBootstrap loadBinary(byte[] bytes, String source, boolean allowUnknownFields)
      throws ConfigParseException {
    Bootstrap bootstrap;
    try {
      bootstrap = Bootstrap.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw ConfigParseException.general(
          source, "not a valid binary Bootstrap proto: " + e.getMessage(), e);
    }
    List<String> warnings = new ArrayList<>();
    for (String unknown : UnknownFields.find(bootstrap)) {
      if (!allowUnknownFields) {
        throw ConfigParseException.general(source, unknown, null);
      }
      warnings.add(source + ": " + unknown + ", ignored");
    }
    return new LoadedBootstrap(TypedStructs.unwrapAll(bootstrap, source), warnings, List.of());
  }

  private static String readText(Path path, String source) throws BootstrapException {
    byte[] bytes = readBytes(path, source);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new BootstrapException(source, "the file is not valid UTF-8", e);
    }
  }

  private static byte[] readBytes(Path path, String source) throws BootstrapException {
    if (Files.isDirectory(path)) {
      throw new BootstrapException(source, "is a directory, not a file", null);
    }
    try {
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new BootstrapException(source, "file not found", e);
    } catch (AccessDeniedException e) {
      throw new BootstrapException(source, "cannot read the file: permission denied", e);
    } catch (IOException e) {
      throw new BootstrapException(source, "cannot read the file: " + e.getMessage(), e);
    }
  }
}
