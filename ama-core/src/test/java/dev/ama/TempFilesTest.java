package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
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

    assertEquals(2, TempFiles.sweep(tmp));
    assertEquals(List.of(".ama-fedcba9876543210.part", ".fresh.bin.ama-24c6d34d-c8b5-4fbd-810e-15dc980ba2b5.part",
        ".somebody-elses.part", "model.bin"), names(),
        "a legacy file modified within the hour may still be written by an older AMA, and other names are not ours");
  }

  @Test
  void aTempFileThisProcessIsWritingIsKeptHoweverItsFolderIsSpelled() throws IOException {
    Path spelledOtherwise = Files.createDirectory(tmp.resolve("sub")).resolve("..");
    try (TempFiles.Writing w = TempFiles.create(spelledOtherwise); OutputStream out = w.out()) {
      out.write(new byte[1000]);
      assertEquals(0, TempFiles.sweep(tmp));
      assertEquals(0, TempFiles.sweep(tmp.toAbsolutePath()));
      assertEquals(26, w.path().getFileName().toString().length(), "a short name of fixed length");
      w.moveTo(tmp.resolve("done.bin"));
    }
    assertEquals(List.of("done.bin", "sub"), names());
    assertEquals(1000, Files.size(tmp.resolve("done.bin")));
  }

  @Test
  void aTempFileClosedWithoutMovingIsRemoved() throws IOException {
    try (TempFiles.Writing w = TempFiles.create(tmp)) {
      assertTrue(Files.exists(w.path()));
    }
    assertEquals(List.of(), names());
  }
}
