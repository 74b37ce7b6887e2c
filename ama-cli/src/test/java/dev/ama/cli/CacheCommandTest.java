package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ama cache ls | du | prune | pin | unpin | verify} and where the cap comes from. */
class CacheCommandTest {
  @TempDir Path tmp;

  private Ama twoVersions() {
    Ama ama = new Ama(tmp);
    StoreCommandsTest.upload(ama, "models", "prod", "model.bin", "the production model, 40 bytes long....");
    StoreCommandsTest.upload(ama, "models", "canary", "model.bin", "the canary model");
    return ama;
  }

  private static JsonNode json(Ama.Result r) throws IOException {
    return new ObjectMapper().readTree(r.out());
  }

  @Test
  void pinFetchesTheVersionAndLsShowsItPinnedThenUnpinAndPruneEvictIt() throws Exception {
    Ama ama = twoVersions();
    assertTrue(ama.ok("cache", "pin", "models", "prod").out().contains("pinned models@"));
    JsonNode ls = json(ama.ok("cache", "ls", "--json")).get("versions");
    assertEquals(1, ls.size(), ls.toString());
    assertEquals("models", ls.get(0).get("type").asText());
    assertTrue(ls.get(0).get("pinned").asBoolean());
    assertTrue(ls.get(0).get("complete").asBoolean());
    assertEquals("the production model, 40 bytes long....".length(), ls.get(0).get("bytes").asLong());

    JsonNode prune = json(ama.ok("cache", "prune", "--max", "0", "--json"));
    assertEquals(0, prune.get("evicted").size(), "a pinned version stays: " + prune);
    assertEquals("pinned", prune.get("kept").get(0).get("reason").asText());

    String version = ls.get(0).get("version").asText();
    assertTrue(ama.ok("cache", "unpin", "models", version.substring(7, 17)).out().contains("unpinned"));
    assertTrue(ama.ok("cache", "unpin", "models", version.substring(7, 17)).out().contains("was not pinned"));
    prune = json(ama.ok("cache", "prune", "--max", "0", "--json"));
    assertEquals(version, prune.get("evicted").get(0).asText());
    assertTrue(ama.ok("cache", "ls").out().contains("holds no versions"));
  }

  @Test
  void pinningAnUnknownAliasExitsNotFoundAndPinsNothing() {
    Ama ama = twoVersions();
    Ama.Result r = ama.run("cache", "pin", "models", "prdo");
    assertEquals(ExitCodes.NOT_FOUND, r.code(), r.toString());
    assertTrue(r.err().contains("prod"), "near names: " + r.err());
    assertFalse(Files.exists(ama.root.resolve("cache/pins")) && ama.ok("cache", "ls", "--json").out().contains("pinned\" : true"));
  }

  @Test
  void pruneWithoutACapSaysHowToSetOne() {
    Ama ama = twoVersions();
    Ama.Result r = ama.run("cache", "prune");
    assertEquals(ExitCodes.INVALID_INPUT, r.code(), r.toString());
    assertTrue(r.err().contains("no size cap") && r.err().contains("--max"), r.err());
  }

  @Test
  void theCapComesFromTheFlagThenTheEnvironmentThenTheConfigFile() throws Exception {
    Ama ama = twoVersions();
    Files.createDirectories(ama.home.resolve(".ama"));
    Files.writeString(ama.home.resolve(".ama/config.yml"), "cache_max: 3MB\n");
    assertEquals(3L << 20, json(ama.ok("cache", "du", "--json")).get("maxBytes").asLong());
    ama.env.put("AMA_CACHE_MAX", "2GiB");
    assertEquals(2L << 30, json(ama.ok("cache", "du", "--json")).get("maxBytes").asLong());
    assertEquals(100, json(ama.ok("--cache-max", "100", "cache", "du", "--json")).get("maxBytes").asLong());
    assertTrue(json(ama.ok("cache", "du", "--cache-max", "none", "--json")).get("maxBytes").isNull());

    ama.env.put("AMA_CACHE_MAX", "lots");
    Ama.Result bad = ama.run("cache", "du");
    assertEquals(ExitCodes.INVALID_INPUT, bad.code(), bad.toString());
    assertTrue(bad.err().contains("invalid cache cap 'lots' (from AMA_CACHE_MAX)") && bad.err().contains("none for no cap"),
        bad.err());
  }

  @Test
  void aCapEvictsTheLeastRecentlyUsedVersionWhenTheCacheWrites() throws Exception {
    Ama ama = twoVersions();
    ama.ok("cache", "pin", "models", "prod");
    ama.ok("cache", "unpin", "models", "prod");
    Thread.sleep(20);
    // Pinning canary writes to the cache, which takes it over the cap: prod, unpinned, goes.
    ama.ok("--cache-max", "100B", "cache", "pin", "models", "canary");
    JsonNode ls = json(ama.ok("cache", "ls", "--json")).get("versions");
    assertEquals(1, ls.size(), ls.toString());
    assertTrue(ls.get(0).get("pinned").asBoolean());
    Ama.Result du = ama.ok("--cache-max", "100B", "cache", "du");
    assertTrue(du.out().contains("in 1 versions") && du.out().contains("cap 100 B"), du.out());
    assertTrue(du.out().contains("above the cap, and nothing is left to evict"), "manifests count too: " + du.out());
  }

  @Test
  void verifyRemovesADamagedFileAndExitsWithTheIntegrityCode() throws Exception {
    Ama ama = twoVersions();
    ama.ok("cache", "pin", "models", "prod");
    assertTrue(ama.ok("cache", "verify").out().contains("all intact"));
    Path served;
    try (Stream<Path> s = Files.walk(ama.root.resolve("cache/versions"))) {
      served = s.filter(p -> p.getFileName().toString().equals("model.bin")).findFirst().orElseThrow();
    }
    Files.setPosixFilePermissions(served, PosixFilePermissions.fromString("rw-r--r--"));
    try (FileChannel ch = FileChannel.open(served, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {'X'}), 0);
    }
    Ama.Result r = ama.run("cache", "verify", "--json");
    assertEquals(ExitCodes.INTEGRITY, r.code(), r.toString());
    assertEquals(2, json(r).get("damaged").size(), "the folder's file and its blob, one inode: " + r.out());
    assertEquals(ExitCodes.OK, ama.run("cache", "verify").code(), "removed, nothing damaged is left");
    ama.ok("cache", "pin", "models", "prod");
    assertTrue(ama.ok("cache", "verify").out().contains("all intact"));
  }

  @Test
  void everyCacheCommandHasHelpWithAnExample() {
    Ama ama = new Ama(tmp);
    for (String sub : new String[] {"ls", "du", "prune", "pin", "unpin", "verify"}) {
      Ama.Result r = ama.ok("cache", sub, "--help");
      assertTrue(r.out().contains("Example") && r.out().contains("ama cache " + sub), sub + ": " + r.out());
    }
    assertTrue(ama.ok("--help").out().contains("cache"));
  }
}
