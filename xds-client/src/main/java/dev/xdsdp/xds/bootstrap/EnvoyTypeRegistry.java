package dev.xdsdp.xds.bootstrap;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Every message type of the Envoy API jar (envoy.*, xds.*, udpa.*, validate, cel, opentelemetry,
 * and the google.protobuf / google.rpc types they import), so that any {@code typed_config} Any in
 * a bootstrap or xDS resource resolves.
 *
 * <p>The jar has no index of its types, so the first {@link #get()} finds them: it reads the
 * jar's top-level classes, keeps those generated as a proto file's outer class (they call
 * {@code FileDescriptor.internalBuildGeneratedFileFrom}), and adds each file with its
 * dependencies. That costs about a second of CPU once per process; later calls are free. Call
 * {@link #get()} early on a background thread to keep it off the startup path.
 *
 * <p>Thread-safe: built once under the class-holder idiom, immutable afterwards.
 */
public final class EnvoyTypeRegistry {

  private static final System.Logger LOG = System.getLogger("config");
  private static final String TYPE_URL_PREFIX = "type.googleapis.com/";
  private static final byte[] OUTER_CLASS_MARKER =
      "internalBuildGeneratedFileFrom".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final Map<String, Descriptor> types;
  private final JsonFormat.TypeRegistry jsonRegistry;
  private final TypeRegistry typeRegistry;
  private final Duration buildTime;
  private final int fileCount;

  private EnvoyTypeRegistry(Map<String, Descriptor> types, int fileCount, Duration buildTime) {
    this.types = Collections.unmodifiableMap(types);
    this.fileCount = fileCount;
    this.buildTime = buildTime;
    this.jsonRegistry = JsonFormat.TypeRegistry.newBuilder().add(types.values()).build();
    this.typeRegistry = TypeRegistry.newBuilder().add(types.values()).build();
  }

  private static final class Holder {
    static final EnvoyTypeRegistry INSTANCE = build();
  }

  /** The process-wide registry, built on first use. */
  public static EnvoyTypeRegistry get() {
    return Holder.INSTANCE;
  }

  /** For {@code JsonFormat.parser().usingTypeRegistry(...)} and {@code printer()}. */
  public JsonFormat.TypeRegistry jsonRegistry() {
    return jsonRegistry;
  }

  /** For {@code TextFormat} and {@code Any} handling in protobuf-java's core. */
  public TypeRegistry typeRegistry() {
    return typeRegistry;
  }

  /**
   * The message type for a type URL ({@code type.googleapis.com/envoy...Wasm}, any prefix up to
   * the last '/') or a full name ({@code envoy...Wasm}).
   */
  public Optional<Descriptor> find(String typeUrlOrName) {
    return Optional.ofNullable(types.get(typeName(typeUrlOrName)));
  }

  /** The full names of all known message types. */
  public Set<String> typeNames() {
    return types.keySet();
  }

  /** How long the first {@link #get()} took to find and link every type. */
  public Duration buildTime() {
    return buildTime;
  }

  /** How many proto files the types came from. */
  public int fileCount() {
    return fileCount;
  }

  /** The full message name of a type URL: everything after the last '/'. */
  public static String typeName(String typeUrlOrName) {
    return typeUrlOrName.substring(typeUrlOrName.lastIndexOf('/') + 1);
  }

  /** The canonical type URL of a message type. */
  public static String typeUrl(Descriptor type) {
    return TYPE_URL_PREFIX + type.getFullName();
  }

  private static EnvoyTypeRegistry build() {
    long start = System.nanoTime();
    Map<String, Descriptor> types = new HashMap<>();
    Set<String> files = new HashSet<>();
    // The well-known types are always there, whatever the scan finds.
    for (Descriptor wkt :
        List.of(
            com.google.protobuf.Any.getDescriptor(),
            com.google.protobuf.Api.getDescriptor(),
            com.google.protobuf.Duration.getDescriptor(),
            com.google.protobuf.Empty.getDescriptor(),
            com.google.protobuf.FieldMask.getDescriptor(),
            com.google.protobuf.SourceContext.getDescriptor(),
            com.google.protobuf.Struct.getDescriptor(),
            com.google.protobuf.Timestamp.getDescriptor(),
            com.google.protobuf.Type.getDescriptor(),
            com.google.protobuf.DoubleValue.getDescriptor(),
            Bootstrap.getDescriptor())) {
      addFile(wkt.getFile(), files, types);
    }
    ClassLoader loader = Bootstrap.class.getClassLoader();
    for (String className : outerClassNames()) {
      try {
        Class<?> c = Class.forName(className, true, loader);
        Method m = c.getMethod("getDescriptor");
        if (Modifier.isStatic(m.getModifiers()) && m.getReturnType() == FileDescriptor.class) {
          addFile((FileDescriptor) m.invoke(null), files, types);
        }
      } catch (ReflectiveOperationException | LinkageError e) {
        // A generated class whose dependencies are not on the class path: its types stay unknown
        // and are reported as such if a config uses them.
        LOG.log(System.Logger.Level.DEBUG, "skipping proto outer class {0}: {1}", className, e);
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    EnvoyTypeRegistry registry = new EnvoyTypeRegistry(types, files.size(), took);
    LOG.log(
        System.Logger.Level.DEBUG,
        "type registry: {0} message types from {1} proto files in {2} ms",
        types.size(),
        files.size(),
        took.toMillis());
    return registry;
  }

  private static void addFile(FileDescriptor file, Set<String> files, Map<String, Descriptor> types) {
    if (!files.add(file.getFullName())) {
      return;
    }
    for (FileDescriptor dependency : file.getDependencies()) {
      addFile(dependency, files, types);
    }
    for (Descriptor message : file.getMessageTypes()) {
      addMessage(message, types);
    }
  }

  private static void addMessage(Descriptor message, Map<String, Descriptor> types) {
    types.putIfAbsent(message.getFullName(), message);
    for (Descriptor nested : message.getNestedTypes()) {
      addMessage(nested, types);
    }
  }

  /** The outer classes generated from proto files in the jar (or class folder) holding the API. */
  private static List<String> outerClassNames() {
    Path location;
    try {
      location = Path.of(Bootstrap.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot locate the Envoy API classes ({0}); only types reachable from Bootstrap are known",
          e.toString());
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try {
      if (Files.isDirectory(location)) {
        try (Stream<Path> walk = Files.walk(location)) {
          for (Path p : (Iterable<Path>) walk::iterator) {
            String rel = location.relativize(p).toString().replace('\\', '/');
            if (isTopLevelClass(rel) && contains(Files.readAllBytes(p), OUTER_CLASS_MARKER)) {
              names.add(className(rel));
            }
          }
        }
      } else {
        try (ZipFile zip = new ZipFile(location.toFile())) {
          Enumeration<? extends ZipEntry> entries = zip.entries();
          while (entries.hasMoreElements()) {
            ZipEntry entry = entries.nextElement();
            if (!isTopLevelClass(entry.getName())) {
              continue;
            }
            byte[] bytes;
            try (InputStream in = zip.getInputStream(entry)) {
              bytes = in.readAllBytes();
            }
            if (contains(bytes, OUTER_CLASS_MARKER)) {
              names.add(className(entry.getName()));
            }
          }
        }
      }
    } catch (IOException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot scan {0} for Envoy API types ({1}); only types reachable from Bootstrap are known",
          location,
          e.toString());
    }
    return names;
  }

  private static boolean isTopLevelClass(String name) {
    return name.endsWith(".class") && name.indexOf('$') < 0 && !name.endsWith("module-info.class")
        && !name.startsWith("META-INF/");
  }

  private static String className(String entryName) {
    return entryName.substring(0, entryName.length() - ".class".length()).replace('/', '.');
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    byte first = needle[0];
    outer:
    for (int i = 0, max = haystack.length - needle.length; i <= max; i++) {
      if (haystack[i] != first) {
        continue;
      }
      for (int j = 1; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
