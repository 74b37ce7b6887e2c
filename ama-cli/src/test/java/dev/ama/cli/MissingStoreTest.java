package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store folder that does not exist is an error for every command reading it; only upload creates one. */
class MissingStoreTest {
  /** Commands that read the store, each with arguments it would otherwise accept. */
  static final List<List<String>> READING = List.of(
      List.of("ls"), List.of("ls", "models"), List.of("show", "models", "--alias", "m"),
      List.of("log", "models", "--alias", "m"), List.of("find", "--digest", "sha256:" + "0".repeat(64)),
      List.of("download", "models", "--alias", "m"), List.of("lineage", "models", "--alias", "m"),
      List.of("diff", "models", "m@1", "m"), List.of("compare", "models", "m@1", "m"), List.of("verify"),
      List.of("gc"), List.of("alias", "set", "models", "prod", "m"), List.of("alias", "rm", "models", "prod"));

  @TempDir Path tmp;

  @Test
  void everyReadingCommandRefusesAMissingStoreFolderWithExit3NamingItAndTheFix() {
    Ama ama = new Ama(tmp);
    Path typo = tmp.resolve("stroe");
    for (List<String> command : READING) {
      String[] args = Stream.concat(Stream.of("--store", typo.toString()), command.stream()).toArray(String[]::new);
      Ama.Result r = ama.run(args);
      assertEquals(ExitCodes.NOT_FOUND, r.code(), command + ": " + r);
      assertEquals("ama: no store at " + typo + " (from --store): the folder does not exist. A store is created by"
          + " the first 'ama upload' into it; check --store and AMA_STORE for a typo\n", r.err(), command.toString());
      assertFalse(Files.exists(typo), command + " created the store folder");
    }
  }

  @Test
  void theMessageSaysWhereTheLocationCameFrom() {
    Ama ama = new Ama(tmp);
    assertTrue(ama.run("ls").err().contains("(from AMA_STORE)"), "AMA_STORE names " + ama.store);
    ama.env.remove("AMA_STORE");
    Ama.Result r = ama.run("ls");
    assertEquals(ExitCodes.NOT_FOUND, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: no store at " + ama.home.resolve(".ama/store") + " (the default store)"), r.err());
  }

  @Test
  void aFileUriToAMissingFolderIsRefusedTheSameWay() {
    Ama ama = new Ama(tmp);
    Ama.Result r = ama.run("ls", "--store", tmp.resolve("nowhere").toUri().toString());
    assertEquals(ExitCodes.NOT_FOUND, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: no store at " + tmp.resolve("nowhere")), r.err());
  }

  @Test
  void theFirstUploadCreatesTheStoreAndThenItReads() {
    Ama ama = new Ama(tmp);
    assertFalse(Files.exists(ama.store));
    StoreCommandsTest.upload(ama, "models", "m", "model.yml", "layers: 2\n");
    assertTrue(Files.isDirectory(ama.store));
    assertEquals("models\n", ama.ok("ls").out());
  }

  @Test
  void theFirstImportCreatesTheStoreAsAnUploadDoes() throws Exception {
    Ama ama = new Ama(tmp);
    assertFalse(Files.exists(ama.store));
    TestArchives.zip(ama.work.resolve("model.zip"), TestArchives.Entry.file("model.yml", "layers: 2\n"));
    ama.ok("import", "model.zip", "--type", "models", "--alias", "m");
    assertTrue(Files.isDirectory(ama.store));
    assertEquals("models\n", ama.ok("ls").out());
  }

  @Test
  void commandsOfTheLocalCacheAloneNeedNoStore() {
    Ama ama = new Ama(tmp);
    Ama.Result r = ama.run("--store", tmp.resolve("stroe").toString(), "cache", "ls");
    assertEquals(ExitCodes.OK, r.code(), r.toString());
  }
}
