package dev.xdsdp.xds.snapshot;

import dev.xdsdp.xds.bootstrap.ConfigParseException;
import dev.xdsdp.xds.bootstrap.EnvoyJson;
import dev.xdsdp.xds.resource.ConfigIssues;
import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.resource.ResourceInvalidException;
import dev.xdsdp.xds.resource.ecds.ExtensionConfigResourceType;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Envoy's file config source ({@code path_config_source}) for extension configs: the file holds a
 * {@code DiscoveryResponse} (YAML, JSON or binary by extension) whose resources are
 * {@code TypedExtensionConfig}s. The file is read at start and whenever it changes: its directory
 * is watched (inotify on Linux), so a file written or moved into place is read at once as in
 * Envoy, and it is also checked every {@code interval} for changes a watch misses (a symlink
 * swap elsewhere, a file system without notifications); each good read replaces the whole set. A read that fails (missing file, bad
 * syntax, a config that does not build) keeps the last good set, as Envoy does, and releases what
 * it had built of the failed one.
 */
public final class FileExtensionConfigSource implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("config");

  /** What one read produced: the configs by name and the file's version, or why it failed. */
  public record Update(String version, Map<String, ExtensionConfig> configs, String error) {}

  private final Path path;
  private final Function<ConfigIssues, ParseContext> parseContexts;
  private final Consumer<Update> listener;
  private final ScheduledExecutorService watcher;
  private WatchService directoryWatch;
  private FileTime lastSeen;
  private long lastSize = -1;
  /** A change seen once and not yet read: read when the next look finds it unchanged. */
  private FileTime pendingSeen;
  private long pendingSize = -1;
  private static final long SETTLE_MILLIS = 20;

  private FileExtensionConfigSource(Path path, Function<ConfigIssues, ParseContext> parseContexts, Consumer<Update> listener) {
    this.path = path;
    this.parseContexts = parseContexts;
    this.listener = listener;
    this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "file-config " + path.getFileName());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Reads {@code path} now (the listener hears the result before this returns) and then watches it.
   *
   * @param listener gets each read's result; it owns the configs of a successful one
   */
  public static FileExtensionConfigSource start(
      Path path, Function<ConfigIssues, ParseContext> parseContexts, Consumer<Update> listener, Duration interval) {
    FileExtensionConfigSource s = new FileExtensionConfigSource(path, parseContexts, listener);
    s.check(true);
    long ms = Math.max(10, interval.toMillis());
    s.watcher.scheduleWithFixedDelay(() -> s.check(false), ms, ms, TimeUnit.MILLISECONDS);
    s.watchDirectory();
    return s;
  }

  /** Reads the file as soon as its directory reports a change to it; polling stays the fallback. */
  private void watchDirectory() {
    Path dir = path.toAbsolutePath().getParent();
    if (dir == null) {
      return;
    }
    try {
      directoryWatch = dir.getFileSystem().newWatchService();
      dir.register(directoryWatch, StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.log(System.Logger.Level.DEBUG, "cannot watch {0}, polling only: {1}", dir, e);
      return;
    }
    Path name = path.getFileName();
    WatchService ws = directoryWatch;
    Thread.ofPlatform().daemon().name("file-config-watch " + name).start(() -> {
      try {
        while (true) {
          WatchKey key = ws.take();
          boolean ours = false;
          for (WatchEvent<?> event : key.pollEvents()) {
            ours |= event.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(event.context());
          }
          key.reset();
          if (ours) {
            watcher.schedule(() -> check(false), SETTLE_MILLIS, TimeUnit.MILLISECONDS);
          }
        }
      } catch (InterruptedException | ClosedWatchServiceException | RejectedExecutionException e) {
        // closed
      }
    });
  }

  /**
   * Reads the file when it changed. A change is read only once it has settled (the same
   * modification time and size seen twice, {@link #SETTLE_MILLIS} apart), so a writer that
   * truncates and then writes is never read half-way; the first read at start does not wait.
   */
  private void check(boolean now) {
    FileTime modified;
    long size;
    try {
      modified = Files.getLastModifiedTime(path);
      size = Files.size(path);
    } catch (NoSuchFileException e) {
      if (lastSize != -2) {
        lastSize = -2;
        report(new Update("", Map.of(), path + ": no such file"));
      }
      return;
    } catch (IOException e) {
      report(new Update("", Map.of(), path + ": " + e.getMessage()));
      return;
    }
    if (modified.equals(lastSeen) && size == lastSize) {
      return;
    }
    if (!now && !(modified.equals(pendingSeen) && size == pendingSize)) {
      pendingSeen = modified;
      pendingSize = size;
      watcher.schedule(() -> check(false), SETTLE_MILLIS, TimeUnit.MILLISECONDS);
      return;
    }
    lastSeen = modified;
    lastSize = size;
    report(read());
  }

  private void report(Update u) {
    if (u.error() != null) {
      LOG.log(System.Logger.Level.WARNING, "extension configs from {0} rejected, keeping the last good ones: {1}",
          path, u.error());
    }
    try {
      listener.accept(u);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "applying extension configs from " + path + " failed", e);
    }
  }

  /** Reads and parses the file; a failure releases whatever of it was built. */
  Update read() {
    DiscoveryResponse response;
    try {
      String name = path.getFileName().toString();
      if (name.endsWith(".pb")) {
        response = DiscoveryResponse.parseFrom(Files.readAllBytes(path));
      } else {
        DiscoveryResponse.Builder b = DiscoveryResponse.newBuilder();
        EnvoyJson.parse(Files.readString(path), b, path.toString());
        response = b.build();
      }
    } catch (IOException | ConfigParseException e) {
      return new Update("", Map.of(), e.getMessage());
    }
    Map<String, ExtensionConfig> configs = new LinkedHashMap<>();
    for (int i = 0; i < response.getResourcesCount(); i++) {
      Any any = response.getResources(i);
      String where = path + ": resources[" + i + "]";
      try {
        TypedExtensionConfig tec = any.unpack(TypedExtensionConfig.class);
        ConfigIssues issues = new ConfigIssues();
        ExtensionConfig ec = ExtensionConfigResourceType.parse(tec, parseContexts.apply(issues));
        for (ConfigIssues.Issue issue : issues.issues()) {
          LOG.log(System.Logger.Level.WARNING, "not supported, ignored: {0}", issue);
        }
        ExtensionConfig dup = configs.put(ec.name(), ec);
        if (dup != null) {
          release(configs);
          dup.factory().release();
          return new Update("", Map.of(), where + ": duplicate extension config name '" + ec.name() + "'");
        }
      } catch (InvalidProtocolBufferException e) {
        release(configs);
        return new Update("", Map.of(), where + ": expected a TypedExtensionConfig, got " + any.getTypeUrl());
      } catch (ResourceInvalidException e) {
        release(configs);
        return new Update("", Map.of(), where + ": " + e.describe());
      }
    }
    return new Update(response.getVersionInfo(), configs, null);
  }

  private static void release(Map<String, ExtensionConfig> configs) {
    for (ExtensionConfig c : configs.values()) {
      c.factory().release();
    }
  }

  public Path path() {
    return path;
  }

  @Override
  public void close() {
    watcher.shutdownNow();
    if (directoryWatch != null) {
      try {
        directoryWatch.close();
      } catch (IOException e) {
        // nothing more to do
      }
    }
  }
}
