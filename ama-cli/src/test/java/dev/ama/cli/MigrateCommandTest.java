package dev.ama.cli;

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

/**
 * {@code ama migrate} (a dry run by default, {@code --yes} migrates), {@code ama compact}, and
 * {@code --store-format} with {@code AMA_STORE_FORMAT} choosing the format of a new store.
 */
class MigrateCommandTest {
  @TempDir Path tmp;

  private static List<String> objects(Path store) throws IOException {
    try (Stream<Path> s = Files.walk(store)) {
      return s.filter(Files::isRegularFile).map(p -> store.relativize(p).toString())
          .filter(k -> !k.startsWith("gc/") && !k.startsWith(".ama-tmp")).sorted().toList();
    }
  }

  private static Ama format1Store(Path tmp) {
    Ama ama = new Ama(tmp);
    ama.env.put("AMA_STORE_FORMAT", "1");
    StoreCommandsTest.upload(ama, "models", "prod", "model.bin", "first model");
    StoreCommandsTest.upload(ama, "models", "prod", "model.bin", "second model");
    ama.env.remove("AMA_STORE_FORMAT");
    return ama;
  }

  @Test
  void aDryRunSaysWhatItWouldPackAndYesMigratesKeepingTheLog() throws IOException {
    Ama ama = format1Store(tmp);
    assertTrue(Files.readString(ama.store.resolve("ama-store.json")).contains("\"version\":1"));
    String logBefore = ama.ok("log", "models", "--alias", "prod").out();
    List<String> before = objects(ama.store);

    Ama.Result dry = ama.ok("migrate");
    assertTrue(dry.out().contains("would pack 2 blob(s) (23 B) into 1 pack(s)"), dry.out());
    assertTrue(dry.out().contains("of 2 of 2 version(s)"), dry.out());
    assertTrue(dry.out().contains("this was a dry run; run again with --yes to migrate"), dry.out());
    assertEquals(before, objects(ama.store), "a dry run writes nothing");

    Ama.Result yes = ama.ok("migrate", "--yes");
    assertTrue(yes.out().contains("packed 2 blob(s) (23 B) into 1 pack(s)"), yes.out());
    assertTrue(yes.out().contains("the store is now in format 2 (was 1)"), yes.out());
    assertTrue(yes.out().contains("stay in blobs/ until garbage collection removes them"), yes.out());
    assertTrue(Files.readString(ama.store.resolve("ama-store.json")).contains("\"version\":2"));

    assertEquals(logBefore, ama.ok("log", "models", "--alias", "prod").out(), "ids and history are unchanged");
    ama.ok("verify", "--deep");
    ama.ok("download", "models", "--alias", "prod");
    assertEquals("second model", Files.readString(ama.work.resolve("prod/model.bin")));

    Ama.Result again = ama.ok("migrate", "--yes");
    assertTrue(again.out().contains("nothing to do"), again.out());
  }

  @Test
  void migrateJsonReportsCounts() {
    Ama ama = format1Store(tmp);
    String json = ama.ok("migrate", "--json").out();
    assertTrue(json.contains("\"written\" : false") && json.contains("\"versionsMigrated\" : 2")
        && json.contains("\"formatAfter\" : 1"), json);
    json = ama.ok("migrate", "--yes", "--json").out();
    assertTrue(json.contains("\"written\" : true") && json.contains("\"formatAfter\" : 2"), json);
  }

  @Test
  void aNewStoreIsInFormat2UnlessAskedFor1AndAnExistingStoreKeepsItsFormat() throws IOException {
    Ama ama = new Ama(tmp);
    StoreCommandsTest.upload(ama, "models", "prod", "model.bin", "m");
    assertTrue(Files.readString(ama.store.resolve("ama-store.json")).contains("\"version\":2"));

    Ama old = new Ama(tmp.resolve("old"));
    old.write("model.bin", "m");
    old.ok("init", "models");
    old.ok("add", "model.bin");
    Ama.Result up = old.ok("upload", "--store-format", "1");
    assertFalse(up.out().contains("note:"), up.out());
    assertTrue(Files.readString(old.store.resolve("ama-store.json")).contains("\"version\":1"));

    old.write("model.bin", "m2");
    old.ok("add", "model.bin");
    up = old.ok("upload", "--store-format", "2");
    assertTrue(up.out().contains("note: the store existed already and is in format 1; --store-format applies only to"
        + " a store the upload creates ('ama migrate' moves it to 2)"), up.out());
    assertTrue(Files.readString(old.store.resolve("ama-store.json")).contains("\"version\":1"), "it stays in format 1");
  }

  @Test
  void anInvalidStoreFormatIsRefusedNamingWhereItCameFrom() {
    Ama ama = new Ama(tmp);
    ama.write("model.bin", "m");
    ama.ok("init", "models");
    ama.ok("add", "model.bin");
    Ama.Result r = ama.run("upload", "--store-format", "3");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("invalid store format '3' (from --store-format): give 2"), r.err());
    ama.env.put("AMA_STORE_FORMAT", "two");
    r = ama.run("upload");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("invalid store format 'two' (from AMA_STORE_FORMAT)"), r.err());
    assertFalse(Files.exists(ama.store.resolve("ama-store.json")), "nothing was created");
  }

  @Test
  void compactMergesTheRecordsOfAFormat2StoreAndLeavesAFormat1StoreAlone() {
    Ama ama = new Ama(tmp);
    StoreCommandsTest.upload(ama, "models", "prod", "model.bin", "m");
    StoreCommandsTest.upload(ama, "models", "dev", "model.bin", "m2");
    Ama.Result r = ama.ok("compact");
    assertTrue(r.out().contains("compacted the content index: generation 1 merges 2 upload record(s) and holds 2 blob(s)"),
        r.out());
    String json = ama.ok("compact", "--json").out();
    assertTrue(json.contains("\"generation\" : 2") && json.contains("\"recordsMerged\" : 0"), json);
    assertTrue(ama.ok("find", "model.bin").out().contains("dev"), "find reads the compacted table");

    Ama old = format1Store(tmp.resolve("old"));
    r = old.ok("compact");
    assertTrue(r.out().contains("the store is in format 1, which has no content index to compact"), r.out());
  }
}
