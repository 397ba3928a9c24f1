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
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Every message type of the Envoy API jar (envoy.*, xds.*, udpa.*, validate, cel, opentelemetry,
 * and the google.protobuf / google.rpc types they import), so that any {@code typed_config} Any in
 * a bootstrap or xDS resource resolves.
 *
 * <p>Two tiers, because finding every type is slow and most configs name a handful:
 *
 * <ul>
 *   <li>{@link #find} first guesses the generated class from the type name (the API's Java
 *       packages follow the proto packages: {@code envoy.x.Y} is {@code io.envoyproxy.envoy.x.Y},
 *       {@code xds.x.Y} is {@code com.github.xds.x.Y}, nested types are {@code Outer$Inner}),
 *       loads it and checks its descriptor. That costs a class load per new type.
 *   <li>The full index ({@link #typeNames}, {@link #jsonRegistry}, {@link #typeRegistry}, and
 *       {@link #find} when the guess fails) is built once, on first use: it reads the jar's
 *       top-level classes, keeps the outer classes of proto files (they call {@code
 *       FileDescriptor.internalBuildGeneratedFileFrom}), and adds each file with its dependencies.
 *       That costs about a second of CPU (see {@link #buildTime}); {@link #preload} starts it in
 *       the background.
 * </ul>
 *
 * <p>Thread-safe: the cache is concurrent, the full index is built under the class-holder idiom.
 */
public final class EnvoyTypeRegistry {

  private static final System.Logger LOG = System.getLogger("config");
  private static final String TYPE_URL_PREFIX = "type.googleapis.com/";
  private static final byte[] OUTER_CLASS_MARKER =
      "internalBuildGeneratedFileFrom".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  /** Java package prefixes of the API's generated code, by proto package, most likely first. */
  private static final List<String> JAVA_PREFIXES =
      List.of("io.envoyproxy.", "com.github.udpa.", "com.github.", "com.", "io.envoyproxy.pgv.",
          "dev.", "io.");
  private static final EnvoyTypeRegistry INSTANCE = new EnvoyTypeRegistry();

  private final Map<String, Optional<Descriptor>> found = new ConcurrentHashMap<>();

  private EnvoyTypeRegistry() {}

  /** The full index, built on first use. */
  private static final class Full {
    static final Index INDEX = Index.build();
  }

  private record Index(
      Map<String, Descriptor> types,
      JsonFormat.TypeRegistry jsonRegistry,
      TypeRegistry typeRegistry,
      int fileCount,
      Duration buildTime) {

    static Index build() {
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
          // A generated class whose dependencies are not on the class path: its types stay
          // unknown and are reported as such if a config uses them.
          LOG.log(System.Logger.Level.DEBUG, "skipping proto outer class {0}: {1}", className, e);
        }
      }
      Map<String, Descriptor> all = Collections.unmodifiableMap(types);
      JsonFormat.TypeRegistry json = JsonFormat.TypeRegistry.newBuilder().add(all.values()).build();
      TypeRegistry core = TypeRegistry.newBuilder().add(all.values()).build();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      LOG.log(
          System.Logger.Level.DEBUG,
          "type registry: {0} message types from {1} proto files in {2} ms",
          all.size(),
          files.size(),
          took.toMillis());
      return new Index(all, json, core, files.size(), took);
    }
  }

  /** The process-wide registry. */
  public static EnvoyTypeRegistry get() {
    return INSTANCE;
  }

  /** Starts building the full index on a background thread, to have it ready when needed. */
  public static void preload() {
    Thread.ofPlatform().daemon().name("type-registry-preload").start(() -> {
      Index unused = Full.INDEX;
    });
  }

  /** A JSON registry of every known type, for {@code JsonFormat.printer()} (config_dump). */
  public JsonFormat.TypeRegistry jsonRegistry() {
    return Full.INDEX.jsonRegistry();
  }

  /** A registry of every known type for {@code TextFormat} and protobuf-java's core. */
  public TypeRegistry typeRegistry() {
    return Full.INDEX.typeRegistry();
  }

  /**
   * The message type for a type URL ({@code type.googleapis.com/envoy...Wasm}, any prefix up to
   * the last '/') or a full name ({@code envoy...Wasm}).
   */
  public Optional<Descriptor> find(String typeUrlOrName) {
    String name = typeName(typeUrlOrName);
    Optional<Descriptor> cached = found.get(name);
    if (cached != null) {
      return cached;
    }
    Descriptor d = byConvention(name);
    if (d == null) {
      d = Full.INDEX.types().get(name);
    }
    Optional<Descriptor> result = Optional.ofNullable(d);
    found.put(name, result);
    return result;
  }

  /** The full names of all known message types. */
  public Set<String> typeNames() {
    return Full.INDEX.types().keySet();
  }

  /** How long building the full index took (building it if it has not been). */
  public Duration buildTime() {
    return Full.INDEX.buildTime();
  }

  /** How many proto files the full index holds (building it if it has not been). */
  public int fileCount() {
    return Full.INDEX.fileCount();
  }

  /** A JSON registry holding just {@code types} (and their files' dependencies). */
  static JsonFormat.TypeRegistry jsonRegistryFor(Collection<Descriptor> types) {
    if (types.isEmpty()) {
      return JsonFormat.TypeRegistry.getEmptyTypeRegistry();
    }
    return JsonFormat.TypeRegistry.newBuilder().add(types).build();
  }

  /** The full message name of a type URL: everything after the last '/'. */
  public static String typeName(String typeUrlOrName) {
    return typeUrlOrName.substring(typeUrlOrName.lastIndexOf('/') + 1);
  }

  /** The canonical type URL of a message type. */
  public static String typeUrl(Descriptor type) {
    return TYPE_URL_PREFIX + type.getFullName();
  }

  /**
   * The type found by guessing its generated class, or null. A guess only counts when the
   * class's own descriptor has the asked-for name, so a wrong guess can never return a wrong type.
   */
  private static Descriptor byConvention(String name) {
    if (name.isEmpty() || name.startsWith(".") || name.endsWith(".")) {
      return null;
    }
    ClassLoader loader = Bootstrap.class.getClassLoader();
    for (String prefix : JAVA_PREFIXES) {
      String candidate = prefix + name;
      // Try the name as a top-level class, then with the last dots as nesting ($).
      for (int nesting = 0; nesting < 4; nesting++) {
        Descriptor d = descriptorOf(candidate, name, loader);
        if (d != null) {
          return d;
        }
        int dot = candidate.lastIndexOf('.');
        if (dot < 0) {
          break;
        }
        candidate = candidate.substring(0, dot) + '$' + candidate.substring(dot + 1);
      }
    }
    return null;
  }

  private static Descriptor descriptorOf(String className, String fullName, ClassLoader loader) {
    try {
      // Names come from configs: look before initialising anything.
      Class<?> c = Class.forName(className, false, loader);
      if (!com.google.protobuf.Message.class.isAssignableFrom(c)) {
        return null;
      }
      Object d = c.getMethod("getDescriptor").invoke(null);
      if (d instanceof Descriptor descriptor && descriptor.getFullName().equals(fullName)) {
        return descriptor;
      }
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      // not this guess
    }
    return null;
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
