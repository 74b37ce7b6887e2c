package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ama gc}: a dry run by default, {@code --yes} removes, retention and {@code ama log} afterwards. */
class GcCommandTest {
  @TempDir Path tmp;

  /** A CLI run against a new store in format 1; {@link PackedGcCommandTest} creates it in format 2 first. */
  Ama ama() throws IOException {
    return Ama.format1(tmp);
  }

  /**
   * What {@code gc --yes} removes of a collected single-file version besides the collected marker
   * it adds: its manifest, its blob and its version, blob-use and alias-target markers.
   */
  int objectsOfACollectedVersion() {
    return 5;
  }

  /** Makes every object of the filesystem store two days old, as if uploaded then. */
  private static void ageStore(Path store) throws IOException {
    FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(48)));
    try (Stream<Path> s = Files.walk(store)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(p, old);
      }
    }
  }

  private static List<String> objects(Path store) throws IOException {
    try (Stream<Path> s = Files.walk(store)) {
      return s.filter(Files::isRegularFile).map(p -> store.relativize(p).toString())
          .filter(k -> !k.startsWith("gc/") && !k.startsWith(".ama-tmp")).sorted().toList();
    }
  }

  @Test
  void aDryRunPrintsWhatAndHowManyBytesAndYesRemovesThemAndLogMarksThemCollected() throws IOException {
    Ama ama = ama();
    StoreCommandsTest.upload(ama, "models", "prod", "model.bin", "first model: 22 bytes.");
    StoreCommandsTest.upload(ama, "models", "prod", "model.bin", "second model");
    ageStore(ama.store);
    List<String> before = objects(ama.store);

    Ama.Result full = ama.ok("gc");
    assertTrue(full.out().contains("would remove 0 version(s)"), full.out());

    Ama.Result dry = ama.ok("gc", "--keep-last", "1");
    assertTrue(dry.out().contains("would remove 1 version(s)"), dry.out());
    assertTrue(dry.out().contains("1 blob(s) (22 B)"), dry.out());
    assertTrue(dry.out().contains("this was a dry run; run again with --yes"), dry.out());
    assertEquals(before, objects(ama.store), "a dry run removes nothing");

    Ama.Result yes = ama.ok("gc", "--keep-last", "1", "--yes");
    assertTrue(yes.out().contains("removed 1 version(s)"), yes.out());
    assertEquals(before.size() - objectsOfACollectedVersion() + 1, objects(ama.store).size(),
        "the manifest, its blob and its index markers went; a collected marker came: " + objects(ama.store));

    String log = ama.ok("log", "models", "--alias", "prod").out();
    assertTrue(log.lines().skip(1).findFirst().orElseThrow().contains("sha256:") && !log.lines().skip(1).findFirst().get().contains("collected"), log);
    assertTrue(log.lines().skip(2).findFirst().orElseThrow().contains("(collected)"), log);
    String json = ama.ok("log", "models", "--alias", "prod", "--json").out();
    assertTrue(json.contains("\"state\" : \"collected\"") && json.contains("\"state\" : \"stored\""), json);

    ama.ok("download", "models", "--alias", "prod");
    assertEquals("second model", Files.readString(ama.work.resolve("prod/model.bin")));
  }

  @Test
  void gcRefusesAGraceShorterThanAnHourAndAnInvalidDate() throws IOException {
    Ama ama = ama();
    StoreCommandsTest.upload(ama, "models", "prod", "model.bin", "m");
    Ama.Result r = ama.run("gc", "--grace", "10m");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("grace period") && r.err().contains("at least 1h"), r.err());
    r = ama.run("gc", "--keep-since", "yesterday");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("--keep-since 'yesterday'"), r.err());
  }

  @Test
  void gcJsonReportsCounts() throws IOException {
    Ama ama = ama();
    StoreCommandsTest.upload(ama, "models", "prod", "model.bin", "m");
    String json = ama.ok("gc", "--json").out();
    assertTrue(json.contains("\"deleted\" : false") && json.contains("\"keptVersions\" : 1"), json);
  }
}
