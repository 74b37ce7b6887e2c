package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands that talk to the store: upload, add ref, download, ls, show, log, and their errors. */
class StoreCommandsTest {
  @TempDir Path tmp;

  /** Uploads one asset of a type under an alias with one file of the given content. */
  static void upload(Ama ama, String type, String alias, String file, String content) {
    ama.write(file, content);
    ama.ok("init", type, "--force");
    ama.ok("add", file);
    ama.ok("set", "--alias", alias);
    ama.ok("upload");
  }

  @Test
  void unknownAliasListsNearNames() {
    Ama ama = new Ama(tmp);
    upload(ama, "models", "my_model", "m.bin", "m");
    Ama.Result r = ama.run("show", "models", "--alias", "my_modle");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: no alias 'my_modle' for asset type 'models'"), r.err());
    assertTrue(r.err().contains("my_model"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  @Test
  void addRefOfAnUnknownAliasListsNearNames() {
    Ama ama = new Ama(tmp);
    upload(ama, "params", "my_training_inputs", "t.yml", "t");
    ama.ok("init", "models", "--force");
    Ama.Result r = ama.run("add", "ref", "--alias", "my_training_input");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: no asset type has an alias 'my_training_input'"), r.err());
    assertTrue(r.err().endsWith("; list aliases with: ama ls <type>. Did you mean 'my_training_inputs'?\n"), r.err());
  }

  @Test
  void addRefOfAnAliasInSeveralTypesListsThemAndSuggestsType() throws IOException {
    Ama ama = new Ama(tmp);
    upload(ama, "params", "shared", "p.yml", "p");
    upload(ama, "datasets", "shared", "d.csv", "d");
    ama.ok("init", "models", "--force");
    Ama.Result r = ama.run("add", "ref", "--alias", "shared");
    assertEquals(4, r.code(), r.toString());
    assertEquals("ama: alias 'shared' exists for several asset types: datasets, params; choose one with --type,"
        + " such as: ama add ref --alias shared --type datasets\n", r.err());

    ama.ok("add", "ref", "--alias", "shared", "--type", "params");
    String status = ama.ok("status").out();
    assertTrue(status.contains("params/shared"), status);
  }

  @Test
  void addRefWithATypeThatLacksTheAliasIsNotFound() {
    Ama ama = new Ama(tmp);
    upload(ama, "params", "inputs", "p.yml", "p");
    ama.ok("init", "models", "--force");
    Ama.Result r = ama.run("add", "ref", "--alias", "inputs", "--type", "datasets");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: no asset type 'datasets'"), r.err());
  }

  @Test
  void downloadIntoAFolderHoldingDifferentFilesIsRefusedUnlessForced() throws IOException {
    Ama ama = new Ama(tmp);
    upload(ama, "models", "my_model", "model.yml", "layers: 3\n");
    Path target = ama.work.resolve("my_model");
    Ama.write(target, "model.yml", "my local edit\n".getBytes(StandardCharsets.UTF_8));

    Ama.Result refused = ama.run("download", "models", "--alias", "my_model");
    assertEquals(5, refused.code(), refused.toString());
    assertTrue(refused.err().startsWith("ama: "), refused.err());
    assertTrue(refused.err().contains("model.yml"), refused.err());
    assertEquals(1, refused.err().lines().count(), refused.err());
    assertEquals("my local edit\n", Files.readString(target.resolve("model.yml")));

    ama.ok("download", "models", "--alias", "my_model", "--force");
    assertEquals("layers: 3\n", Files.readString(target.resolve("model.yml")));
  }

  @Test
  void downloadAgainIntoTheSameFolderIsFine() throws IOException {
    Ama ama = new Ama(tmp);
    upload(ama, "models", "my_model", "model.yml", "layers: 3\n");
    ama.ok("download", "models", "--alias", "my_model");
    ama.ok("download", "models", "--alias", "my_model");
    assertEquals("layers: 3\n", Files.readString(ama.work.resolve("my_model/model.yml")));
  }

  @Test
  void emptyFilesAndUnusualNamesRoundTripByteExact() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("empty.txt", "");
    ama.write("my notes.txt", "notes with spaces\n");
    ama.write("Größe-模型.yml", "größe: 1\n");
    ama.ok("init", "params");
    ama.ok("add", "empty.txt,", "my notes.txt,", "Größe-模型.yml");
    ama.ok("set", "--alias", "odd_names");
    ama.ok("upload");
    Path out = tmp.resolve("out");
    ama.ok("download", "params", "--alias", "odd_names", "-o", out.toString());
    for (String name : new String[] {"empty.txt", "my notes.txt", "Größe-模型.yml"}) {
      assertArrayEquals(Files.readAllBytes(ama.work.resolve(name)), Files.readAllBytes(out.resolve(name)), name);
    }
  }

  @Test
  void uploadingTheSameContentAgainKeepsTheVersion() {
    Ama ama = new Ama(tmp);
    upload(ama, "models", "m", "a.bin", "a");
    upload(ama, "models", "m", "a.bin", "a");
    String log = ama.ok("log", "models", "--alias", "m").out();
    assertEquals(2, log.lines().count(), log);
  }

  @Test
  void logListsMovesNewestFirst() {
    Ama ama = new Ama(tmp);
    upload(ama, "models", "m", "a.bin", "first");
    upload(ama, "models", "m", "a.bin", "second");
    String[] lines = ama.ok("log", "models", "--alias", "m").out().split("\n");
    assertEquals(3, lines.length);
    assertTrue(lines[0].startsWith("SEQ"), lines[0]);
    assertTrue(lines[1].startsWith("2 ") && lines[1].contains("alice"), lines[1]);
    assertTrue(lines[2].startsWith("1 "), lines[2]);
  }

  @Test
  void lsListsTypesAndAliases() {
    Ama ama = new Ama(tmp);
    upload(ama, "models", "m1", "a.bin", "a");
    upload(ama, "params", "p1", "p.yml", "p");
    assertEquals("models\nparams\n", ama.ok("ls").out());
    String aliases = ama.ok("ls", "models").out();
    assertTrue(aliases.startsWith("ALIAS"), aliases);
    assertTrue(aliases.contains("m1") && aliases.contains("sha256:") && aliases.contains("alice"), aliases);
    Ama.Result r = ama.run("ls", "modles");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().endsWith("; list types with: ama ls. Did you mean 'models'?\n"), r.err());
  }

  @Test
  void showPrintsFilesRefsAndMetadata() {
    Ama ama = new Ama(tmp);
    upload(ama, "params", "inputs", "t.yml", "t");
    ama.write("m.bin", "model");
    ama.ok("init", "models");
    ama.ok("add", "m.bin");
    ama.ok("set", "--alias", "m", "--description", "first try", "--label", "stage=dev");
    ama.ok("add", "ref", "--alias", "inputs");
    ama.ok("upload");
    String show = ama.ok("show", "models", "--alias", "m").out();
    for (String expected : new String[] {"models/m", "version:     sha256:", "by alice", "description: first try",
        "labels:      stage=dev", "m.bin", "5 B", "params/inputs"}) {
      assertTrue(show.contains(expected), expected + " missing in\n" + show);
    }
  }

  @Test
  void aCorruptBlobInTheStoreFailsTheDownloadWithIntegrityErrorAndLeavesNoFile() throws IOException {
    Ama ama = Ama.format1(tmp);
    upload(ama, "models", "m", "model.bin", "the real weights");
    Path blob;
    try (var walk = Files.walk(ama.store.resolve("blobs"))) {
      blob = walk.filter(Files::isRegularFile).findFirst().orElseThrow();
    }
    Files.delete(blob); // replace, not rewrite: the store may share the inode with the cache
    Files.writeString(blob, "the fake weights");
    ama.env.put("AMA_CACHE", tmp.resolve("fresh-cache").toString());

    Ama.Result r = ama.run("download", "models", "--alias", "m");
    assertEquals(6, r.code(), r.toString());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(Files.notExists(ama.work.resolve("m/model.bin")), "a corrupt file was left under its final name");
  }

  @Test
  void unreachableOrUnknownStoreSchemeIsReported() {
    Ama ama = new Ama(tmp);
    Ama.Result r = ama.run("ls", "--store", "nosuch://bucket/x");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: ") && r.err().contains("nosuch"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
  }
}
