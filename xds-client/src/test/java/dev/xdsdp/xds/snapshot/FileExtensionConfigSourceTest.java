package dev.xdsdp.xds.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdsdp.xds.resource.ParseContext;
import dev.xdsdp.xds.testing.TestFilters;
import dev.xdsdp.xds.testing.TestStats;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Envoy's file config source for extension configs: reads, watches, keeps the last good set. */
class FileExtensionConfigSourceTest {

  @TempDir
  Path tmp;

  static String response(String version, String... headerValues) {
    StringBuilder sb = new StringBuilder("version_info: \"" + version + "\"\nresources:\n");
    for (int i = 0; i < headerValues.length; i++) {
      sb.append("""
          - "@type": type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig
            name: f%d
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation
              mutations:
                request_mutations:
                - append: { header: { key: "%s", value: v } }
          """.formatted(i, headerValues[i]));
    }
    return sb.toString();
  }

  @Test
  void readsAtStartThenFollowsChangesAndKeepsTheLastGoodSetOnErrors() throws Exception {
    Path file = tmp.resolve("ecds.yaml");
    Files.writeString(file, response("1", "x-one"));
    List<FileExtensionConfigSource.Update> updates = new CopyOnWriteArrayList<>();
    try (FileExtensionConfigSource source = start(file, updates, Duration.ofMillis(20))) {
      assertEquals(1, updates.size(), "the first read happens in start()");
      assertEquals("1", updates.get(0).version());
      assertEquals(List.of("f0"), List.copyOf(updates.get(0).configs().keySet()));
      assertNull(updates.get(0).error());

      // A file whose second config does not build: the whole read fails, the first is released.
      int released = TestFilters.RELEASED.get();
      Files.writeString(file, response("2", "x-two", ""));
      await(() -> updates.size() == 2);
      assertTrue(updates.get(1).error().contains("resources[1]"), updates.get(1).error());
      assertEquals(released + 1, TestFilters.RELEASED.get(), "what was built of the failed read is released");

      Files.writeString(file, response("3", "x-three", "x-four"));
      await(() -> updates.size() == 3);
      assertEquals("3", updates.get(2).version());
      assertEquals(List.of("f0", "f1"), List.copyOf(updates.get(2).configs().keySet()));

      Files.delete(file);
      await(() -> updates.size() == 4);
      assertTrue(updates.get(3).error().endsWith("no such file"), updates.get(3).error());
    }
  }

  @Test
  void aFileMovedIntoPlaceIsReadAtOnceWithoutWaitingForThePoll() throws Exception {
    Path file = tmp.resolve("ecds.yaml");
    Files.writeString(file, response("1", "x-one"));
    List<FileExtensionConfigSource.Update> updates = new CopyOnWriteArrayList<>();
    // An hour between polls: only the directory watch can see the new version in time.
    try (FileExtensionConfigSource source = start(file, updates, Duration.ofHours(1))) {
      Path staged = tmp.resolve("ecds.yaml.new");
      Files.writeString(staged, response("2", "x-two"));
      Files.move(staged, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      await(() -> updates.size() >= 2);
      assertEquals("2", updates.getLast().version());
    }
  }

  static FileExtensionConfigSource start(Path file, List<FileExtensionConfigSource.Update> updates, Duration poll) {
    return FileExtensionConfigSource.start(file,
        issues -> new ParseContext(TestFilters.registry(), new TestStats(), Node.getDefaultInstance(), false, issues,
            any -> any),
        updates::add, poll);
  }

  static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
    for (int i = 0; i < 250 && !c.getAsBoolean(); i++) {
      Thread.sleep(20);
    }
    assertTrue(c.getAsBoolean());
  }
}
