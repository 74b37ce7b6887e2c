package dev.ama.cli;

import static dev.ama.cli.TestArchives.Entry.charDevice;
import static dev.ama.cli.TestArchives.Entry.file;
import static dev.ama.cli.TestArchives.Entry.folder;
import static dev.ama.cli.TestArchives.Entry.hardLink;
import static dev.ama.cli.TestArchives.Entry.symlink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ama import: an archive's files as one version, and hostile archives refused with nothing stored. */
class ImportCommandTest {
  @TempDir Path tmp;

  @Test
  void aZipOfModelFilesBecomesOneVersionUnderItsNamesWithNoStageLeftBehind() throws IOException {
    Ama ama = new Ama(tmp);
    Path zip = TestArchives.zip(ama.work.resolve("rnn_model.zip"),
        file("model.h5", "weights"), folder("cfg/"), file("cfg/model.yml", "layers: 3"), file("meta.yml", "date: today"));

    Ama.Result r = ama.ok("import", "rnn_model.zip", "--type", "rnn_models", "--alias", "my_model", "--label", "src=bucket");

    assertTrue(r.out().contains("imported 3 file(s)"), r.out());
    assertTrue(r.out().contains("as rnn_models/my_model sha256:"), r.out());
    Ama.Result shown = ama.ok("show", "rnn_models", "--alias", "my_model", "--json");
    assertTrue(shown.out().contains("\"path\" : \"cfg/model.yml\""), shown.out());
    assertTrue(shown.out().contains("\"src\" : \"bucket\""), shown.out());
    ama.ok("download", "rnn_models", "--alias", "my_model", "-o", "out");
    assertEquals("layers: 3", Files.readString(ama.work.resolve("out/cfg/model.yml")));
    assertFalse(Files.exists(ama.work.resolve(".ama")), "import needs no stage");
    assertEquals(List.of(), scratchLeft(ama));
    assertTrue(Files.exists(zip));
  }

  @Test
  void aTarGzWithDotSlashNamesAndAHardLinkImportsTheLinkAsACopy() throws IOException {
    Ama ama = new Ama(tmp);
    TestArchives.tarGz(ama.work.resolve("model.tar.gz"),
        folder("./"), file("./model.pth", "weights"), hardLink("./best.pth", "./model.pth"));

    Ama.Result r = ama.ok("import", "model.tar.gz", "--type", "models", "--alias", "prod");

    assertTrue(r.err().contains("'best.pth' is a hard link to 'model.pth' in the archive: imported as a copy of it"), r.err());
    ama.ok("download", "models", "--alias", "prod", "-o", "out");
    assertEquals("weights", Files.readString(ama.work.resolve("out/best.pth")));
    assertEquals("weights", Files.readString(ama.work.resolve("out/model.pth")));
  }

  @Test
  void zipSlipNamesAreRefusedWithNothingStored() throws IOException {
    Ama ama = new Ama(tmp);
    for (String name : List.of("../evil.sh", "ok/../../evil.sh", "/etc/cron.d/evil", "C:/Windows/evil.dll",
        "models\\..\\evil.dll", "bell\u0007.txt")) {
      Path zip = TestArchives.zip(ama.work.resolve("slip.zip"), file("model.h5", "w"), file(name, "pwned"));

      Ama.Result r = ama.run("import", "slip.zip", "--type", "models", "--alias", "x");

      assertEquals(4, r.code(), name + ": " + r);
      assertTrue(r.err().contains("has an unsafe name"), name + ": " + r.err());
      assertTrue(r.err().contains("Nothing was uploaded"), r.err());
      assertNothingStored(ama);
      Files.delete(zip);
    }
    assertFalse(Files.exists(tmp.resolve("evil.sh")));
  }

  @Test
  void absolutePathsAndBackslashesInATarAreRefused() throws IOException {
    Ama ama = new Ama(tmp);
    TestArchives.tarGz(ama.work.resolve("abs.tgz"), file("/tmp/evil", "pwned"));
    TestArchives.tarGz(ama.work.resolve("bs.tgz"), file("..\\evil.dll", "pwned"));

    Ama.Result r = ama.run("import", "abs.tgz", "--type", "models");
    Ama.Result bs = ama.run("import", "bs.tgz", "--type", "models");

    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("the entry '/tmp/evil' has an unsafe name (absolute paths are not allowed"), r.err());
    assertEquals(4, bs.code(), bs.toString());
    assertTrue(bs.err().contains("backslashes are not allowed"), bs.err());
    assertNothingStored(ama);
  }

  @Test
  void aZipBombIsRefusedByItsRatioAndImportsWhenTheLimitIsRaised() throws IOException {
    Ama ama = new Ama(tmp);
    TestArchives.zip(ama.work.resolve("bomb.zip"), file("zeros.bin", new byte[20 << 20]));

    Ama.Result r = ama.run("import", "bomb.zip", "--type", "models", "--alias", "x");

    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("the entry 'zeros.bin' expands more than 200 times its compressed size"), r.err());
    assertTrue(r.err().contains("--max-ratio N"), r.err());
    assertNothingStored(ama);
    assertEquals(List.of(), scratchLeft(ama));

    ama.ok("import", "bomb.zip", "--type", "models", "--alias", "x", "--max-ratio", "5000");
  }

  @Test
  void aTarGzBombIsRefusedByTheRatioOfTheWholeStream() throws IOException {
    Ama ama = new Ama(tmp);
    TestArchives.tarGz(ama.work.resolve("bomb.tar.gz"), file("a.bin", new byte[8 << 20]), file("b.bin", new byte[8 << 20]));

    Ama.Result r = ama.run("import", "bomb.tar.gz", "--type", "models");

    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("expands more than 200 times the archive's compressed size"), r.err());
    assertNothingStored(ama);
  }

  @Test
  void theSizeAndEntryLimitsAreEnforcedAndOverridable() throws IOException {
    Ama ama = new Ama(tmp);
    TestArchives.zip(ama.work.resolve("many.zip"), file("a", "12345"), file("b", "12345"), file("c", "12345"));

    Ama.Result tooMany = ama.run("import", "many.zip", "--type", "models", "--max-files", "2");
    assertEquals(4, tooMany.code(), tooMany.toString());
    assertTrue(tooMany.err().contains("it holds more than 2 entries"), tooMany.err());
    assertTrue(tooMany.err().contains("--max-files N"), tooMany.err());

    Ama.Result tooBig = ama.run("import", "many.zip", "--type", "models", "--max-size", "12");
    assertEquals(4, tooBig.code(), tooBig.toString());
    assertTrue(tooBig.err().contains("more than 12 bytes unpacked"), tooBig.err());
    assertNothingStored(ama);

    ama.ok("import", "many.zip", "--type", "models", "--max-files", "3", "--max-size", "15");
  }

  @Test
  void symbolicLinksInAZipOrATarAreRefused() throws IOException {
    Ama ama = new Ama(tmp);
    TestArchives.zip(ama.work.resolve("link.zip"), file("model.h5", "w"), symlink("passwd", "/etc/passwd"));
    TestArchives.tarGz(ama.work.resolve("link.tgz"), file("model.h5", "w"), symlink("latest", "../../outside"));

    Ama.Result zip = ama.run("import", "link.zip", "--type", "models");
    Ama.Result tar = ama.run("import", "link.tgz", "--type", "models");

    assertEquals(4, zip.code(), zip.toString());
    assertTrue(zip.err().contains("the entry 'passwd' is a symbolic link"), zip.err());
    assertTrue(zip.err().contains("tar -h, zip without -y"), zip.err());
    assertEquals(4, tar.code(), tar.toString());
    assertTrue(tar.err().contains("the entry 'latest' is a symbolic link to '../../outside'"), tar.err());
    assertNothingStored(ama);
  }

  @Test
  void devicesAndHardLinksToNothingInTheArchiveAreRefused() throws IOException {
    Ama ama = new Ama(tmp);
    TestArchives.tarGz(ama.work.resolve("dev.tgz"), charDevice("null"));
    TestArchives.tarGz(ama.work.resolve("hard.tgz"), hardLink("shadow", "/etc/shadow"));

    Ama.Result dev = ama.run("import", "dev.tgz", "--type", "models");
    Ama.Result hard = ama.run("import", "hard.tgz", "--type", "models");

    assertTrue(dev.err().contains("the entry 'null' is a character device, not a regular file"), dev.err());
    assertTrue(hard.err().contains("is a hard link to '/etc/shadow', which is not an earlier file"), hard.err());
    assertNothingStored(ama);
  }

  @Test
  void theSameNameTwiceOrAsBothFileAndFolderIsRefused() throws IOException {
    Ama ama = new Ama(tmp);
    TestArchives.zip(ama.work.resolve("dup.zip"), file("model.h5", "good"), file("model.h5", "evil"));
    TestArchives.tarGz(ama.work.resolve("dup.tgz"), file("model.h5", "good"), file("./model.h5", "evil"));
    TestArchives.zip(ama.work.resolve("clash.zip"), file("cfg", "a file"), file("cfg/model.yml", "x"));

    Ama.Result zip = ama.run("import", "dup.zip", "--type", "models");
    Ama.Result tar = ama.run("import", "dup.tgz", "--type", "models");
    Ama.Result clash = ama.run("import", "clash.zip", "--type", "models");

    assertTrue(zip.err().contains("it holds 'model.h5' twice (entries #1 and #2)"), zip.err());
    assertTrue(tar.err().contains("it holds 'model.h5' twice"), tar.err());
    assertTrue(clash.err().contains("is inside 'cfg', which an earlier entry made a file"), clash.err());
    assertNothingStored(ama);
  }

  @Test
  void aTruncatedArchiveIsReportedAsDamagedWithNothingStored() throws IOException {
    Ama ama = new Ama(tmp);
    byte[] noise = new byte[200_000];
    new java.util.Random(7).nextBytes(noise);
    Path tgz = TestArchives.tarGz(tmp.resolve("full.tgz"), file("model.h5", noise), file("b.yml", "x"));
    Path zip = TestArchives.zip(tmp.resolve("full.zip"), file("model.h5", noise), file("b.yml", "x"));
    TestArchives.truncated(tgz, ama.work.resolve("cut.tgz"), 0.5);
    TestArchives.truncated(zip, ama.work.resolve("cut.zip"), 0.5);

    Ama.Result tar = ama.run("import", "cut.tgz", "--type", "models");
    Ama.Result z = ama.run("import", "cut.zip", "--type", "models");

    assertEquals(4, tar.code(), tar.toString());
    assertTrue(tar.err().contains("damaged or truncated"), tar.err());
    assertTrue(tar.err().contains("Nothing was uploaded; check the file"), tar.err());
    assertEquals(4, z.code(), z.toString());
    assertTrue(z.err().contains("it is not a zip archive, or it is truncated"), z.err());
    assertNothingStored(ama);
    assertEquals(List.of(), scratchLeft(ama));
  }

  @Test
  void anArchiveWhoseNameSaysNoKnownKindIsRefusedBeforeItIsRead() {
    Ama ama = new Ama(tmp);
    ama.write("model.rar", "not read");

    Ama.Result r = ama.run("import", "model.rar", "--type", "models");

    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("must end in .zip, .tar.gz or .tgz"), r.err());
  }

  @Test
  void excludeAndIncludeChooseTheArchivesFilesAndAreNamedWithVerbose() throws IOException {
    Ama ama = new Ama(tmp);
    TestArchives.zip(ama.work.resolve("mac.zip"), file("model.h5", "w"), file("__MACOSX/._model.h5", "fork"),
        file(".DS_Store", "finder"), file("notes.txt", "n"));

    Ama.Result r = ama.ok("import", "mac.zip", "--type", "models", "--alias", "m", "--exclude", "__MACOSX",
        "--exclude", ".DS_Store", "--include", "*.h5", "--verbose");
    Ama.Result none = ama.run("import", "mac.zip", "--type", "models", "--include", "*.pth");

    assertTrue(r.out().contains("imported 1 file(s)"), r.out());
    assertTrue(r.out().contains("left out 3 file(s) of the archive (--exclude, --include):"), r.out());
    assertTrue(r.out().contains("  __MACOSX/._model.h5: matches --exclude '__MACOSX'"), r.out());
    assertTrue(r.out().contains("  notes.txt: matches no --include"), r.out());
    assertEquals(3, none.code(), none.toString());
    assertTrue(none.err().contains("the --include pattern '*.pth' matches no file of"), none.err());
  }

  @Test
  void anExcludedEntryWithAHostileNameIsRefusedAllTheSame() throws IOException {
    Ama ama = new Ama(tmp);
    TestArchives.zip(ama.work.resolve("slip.zip"), file("model.h5", "w"), file("../evil.sh", "pwned"));

    Ama.Result r = ama.run("import", "slip.zip", "--type", "models", "--exclude", "*.sh");

    assertEquals(4, r.code(), r.toString());
    assertNothingStored(ama);
  }

  @Test
  void theScratchFolderOfAKilledImportIsRemovedByTheNextOne() throws IOException {
    Ama ama = new Ama(tmp);
    Path dead = Ama.mkdirs(Path.of(ama.env.get("AMA_CACHE")).resolve("scratch/sdead"));
    Files.writeString(dead.resolve(".lock"), "");
    Files.writeString(dead.resolve("f0000001"), "half an entry");
    TestArchives.zip(ama.work.resolve("m.zip"), file("model.h5", "w"));

    ama.ok("import", "m.zip", "--type", "models");

    assertEquals(List.of(), scratchLeft(ama));
  }

  /** Blobs and manifests in the store: none after a refused import. */
  static void assertNothingStored(Ama ama) throws IOException {
    for (String prefix : List.of("blobs", "manifests", "aliases")) {
      Path dir = ama.store.resolve(prefix);
      if (Files.exists(dir)) {
        try (Stream<Path> files = Files.walk(dir)) {
          assertEquals(List.of(), files.filter(Files::isRegularFile).toList(), "the store holds " + prefix);
        }
      }
    }
  }

  /** Scratch folders left in the cache: none once a command ends. */
  static List<Path> scratchLeft(Ama ama) throws IOException {
    Path scratch = Path.of(ama.env.get("AMA_CACHE")).resolve("scratch");
    if (!Files.exists(scratch)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(scratch)) {
      return dirs.toList();
    }
  }
}
