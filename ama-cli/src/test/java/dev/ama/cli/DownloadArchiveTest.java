package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ama download --archive: a version as one zip or tar.gz with the file names serving code expects. */
class DownloadArchiveTest {
  @TempDir Path tmp;

  Ama uploaded() {
    Ama ama = Ama.format1(tmp);
    ama.write("m/model.pth", "weights");
    ama.write("m/config/labels.txt", "cat\ndog");
    ama.write("m/meta.yml", "date: today");
    ama.ok("init", "models");
    ama.ok("add", "m");
    ama.ok("set", "--alias", "prod");
    ama.ok("upload");
    return ama;
  }

  @Test
  void aZipHoldsEachFileUnderItsPathInTheAsset() throws IOException {
    Ama ama = uploaded();

    Ama.Result r = ama.ok("download", "models", "--alias", "prod", "--archive", "out/model.zip");

    assertTrue(r.out().contains("(3 file(s), 25 B) as the archive out/model.zip"), r.out());
    assertEquals(Map.of("m/config/labels.txt", "cat\ndog", "m/meta.yml", "date: today", "m/model.pth", "weights"),
        zipEntries(ama.work.resolve("out/model.zip")));
    assertEquals(List.of("model.zip"), names(ama.work.resolve("out")), "no temporary file is left beside it");
    assertEquals(List.of(), ImportCommandTest.scratchLeft(ama));
  }

  @Test
  void aTarGzWithIncludeHoldsOnlyTheMatchingFilesAndImportsBackToTheSameContent() throws IOException {
    Ama ama = uploaded();

    ama.ok("download", "models", "--alias", "prod", "--include", "*.pth", "--include", "*.txt", "--archive", "m.tgz");

    assertEquals(Map.of("m/config/labels.txt", "cat\ndog", "m/model.pth", "weights"), tarEntries(ama.work.resolve("m.tgz")));
    Ama.Result again = ama.ok("import", "m.tgz", "--type", "models", "--alias", "subset", "--json");
    assertTrue(again.out().contains("\"path\" : \"m/config/labels.txt\""), again.out());
  }

  @Test
  void withRefsTheRefsFilesAreEntriesUnderRefsTypeAlias() throws IOException {
    Ama ama = Ama.format1(tmp);
    ama.write("training.yml", "lr: 0.1");
    ama.ok("init", "params");
    ama.ok("add", "training.yml");
    ama.ok("set", "--alias", "inputs");
    ama.ok("upload");
    ama.write("model.h5", "weights");
    ama.ok("init", "models");
    ama.ok("add", "model.h5");
    ama.ok("set", "--alias", "prod");
    ama.ok("add", "ref", "--alias", "inputs");
    ama.ok("upload");

    ama.ok("download", "models", "--alias", "prod", "--refs", "--archive", "all.zip");

    assertEquals(Map.of("model.h5", "weights", "refs/params/inputs/training.yml", "lr: 0.1"),
        zipEntries(ama.work.resolve("all.zip")));
  }

  @Test
  void anExistingArchiveIsReplacedOnlyWithForce() throws IOException {
    Ama ama = uploaded();
    ama.write("model.zip", "an older archive");

    Ama.Result refused = ama.run("download", "models", "--alias", "prod", "--archive", "model.zip");

    assertEquals(5, refused.code(), refused.toString());
    assertTrue(refused.err().contains("--archive model.zip exists. Nothing was written; give --force"), refused.err());
    assertEquals("an older archive", Files.readString(ama.work.resolve("model.zip")));
    ama.ok("download", "models", "--alias", "prod", "--archive", "model.zip", "--force");
    assertEquals(3, zipEntries(ama.work.resolve("model.zip")).size());
  }

  @Test
  void combinationsThatMakeNoSenseAreRefusedWithNothingWritten() {
    Ama ama = uploaded();

    Ama.Result withFile = ama.run("download", "models", "--alias", "prod", "--archive", "a.zip", "--file", "m/model.pth");
    Ama.Result withOutput = ama.run("download", "models", "--alias", "prod", "--archive", "a.zip", "-o", "dir");
    Ama.Result badName = ama.run("download", "models", "--alias", "prod", "--archive", "a.rar");

    assertEquals(4, withFile.code(), withFile.toString());
    assertTrue(withFile.err().contains("--archive names the file to write, so --file does not apply"), withFile.err());
    assertEquals(4, withOutput.code(), withOutput.toString());
    assertTrue(withOutput.err().contains("so -o does not apply"), withOutput.err());
    assertEquals(4, badName.code(), badName.toString());
    assertTrue(badName.err().contains("must end in .zip, .tar.gz or .tgz"), badName.err());
    assertFalse(Files.exists(ama.work.resolve("a.zip")));
    assertFalse(Files.exists(ama.work.resolve("dir")));
  }

  @Test
  void aFailedDownloadLeavesNoArchiveAndNoTemporaryFile() throws IOException {
    Ama ama = uploaded();
    try (Stream<Path> blobs = Files.walk(ama.store.resolve("blobs"))) {
      for (Path blob : blobs.filter(Files::isRegularFile).toList()) {
        Files.writeString(blob, "corrupted");
      }
    }
    Ama.mkdirs(ama.work.resolve("out"));

    Ama.Result r = ama.run("download", "models", "--alias", "prod", "--archive", "out/model.tar.gz");

    assertEquals(6, r.code(), r.toString());
    assertEquals(List.of(), names(ama.work.resolve("out")));
    assertEquals(List.of(), ImportCommandTest.scratchLeft(ama));
  }

  static Map<String, String> zipEntries(Path zip) throws IOException {
    Map<String, String> entries = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        entries.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return entries;
  }

  static Map<String, String> tarEntries(Path tgz) throws IOException {
    Map<String, String> entries = new LinkedHashMap<>();
    try (InputStream gz = new GZIPInputStream(Files.newInputStream(tgz));
        TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        entries.put(e.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return entries;
  }

  static List<String> names(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
