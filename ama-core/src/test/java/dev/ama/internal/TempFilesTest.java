package dev.ama.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which leftovers a sweep removes: only AMA's own temporary files, and only dead writers'. */
class TempFilesTest {
  @TempDir Path tmp;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private Path aged(String name, long hoursAgo) throws IOException {
    Path p = Files.writeString(tmp.resolve(name), "left over");
    Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(3600 * hoursAgo)));
    return p;
  }

  @Test
  void aSweepRemovesUnlockedTempFilesAndOldLegacyOnesAndNothingElse() throws IOException {
    aged(".ama-0123456789abcdef.part", 0);
    aged(".model.bin.ama-14c6d34d-c8b5-4fbd-810e-15dc980ba2b5.part", 2);
    aged(".fresh.bin.ama-24c6d34d-c8b5-4fbd-810e-15dc980ba2b5.part", 0);
    aged(".somebody-elses.part", 2);
    aged("model.bin", 2);
    Files.createDirectory(tmp.resolve(".ama-fedcba9876543210.part"));

    assertEquals(2, TempFiles.sweep(tmp).files());
    assertEquals(List.of(".ama-fedcba9876543210.part", ".fresh.bin.ama-24c6d34d-c8b5-4fbd-810e-15dc980ba2b5.part",
        ".somebody-elses.part", "model.bin"), names(),
        "a legacy file modified within the hour may still be written by an older AMA, and other names are not ours");
  }

  @Test
  void aTempFileBeingWrittenIsKeptByASweepAndBecomesTheFinalFileByOneRename() throws IOException {
    try (TempFiles.Writing w = TempFiles.create(tmp); OutputStream out = w.out()) {
      out.write(new byte[1000]);
      assertEquals(0, TempFiles.sweep(tmp).files());
      assertEquals(26, w.path().getFileName().toString().length(), "a short name of fixed length");
      w.moveTo(tmp.resolve("done.bin"));
    }
    assertEquals(List.of("done.bin"), names());
    assertEquals(1000, Files.size(tmp.resolve("done.bin")));
  }

  @Test
  void aSweepInThisProcessLeavesTheLockThatKeepsOtherProcessesAway() throws Exception {
    Path spelledOtherwise = Files.createDirectory(tmp.resolve("sub")).resolve("..");
    try (TempFiles.Writing w = TempFiles.create(spelledOtherwise)) {
      // Opening and closing the writer's file here would drop its POSIX lock, and a sweep by
      // another process would then take the live file away.
      TempFiles.sweep(tmp);
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      Process other = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
          "-XX:TieredStopAtLevel=1", Sweeper.class.getName(), tmp.toString()).redirectErrorStream(true).start();
      String said = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(other.waitFor(30, TimeUnit.SECONDS), said);
      assertEquals("removed 0\n", said);
      assertTrue(Files.exists(w.path()), "the live writer keeps its file");
    }
  }

  /** Sweeps a folder in a process of its own and says how many files it removed. */
  static final class Sweeper {
    public static void main(String[] args) {
      System.out.println("removed " + TempFiles.sweep(Path.of(args[0])).files());
    }
  }

  @Test
  void aTempFileClosedWithoutMovingIsRemoved() throws IOException {
    try (TempFiles.Writing w = TempFiles.create(tmp)) {
      assertTrue(Files.exists(w.path()));
    }
    assertEquals(List.of(), names());
  }
}
