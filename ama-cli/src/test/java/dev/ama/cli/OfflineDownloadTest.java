package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ama download TYPE --alias A} with the store unreachable: the version this machine last
 * loaded for the alias comes from the local cache, never silently: a one-line warning on stderr,
 * {@code "stale": true} in {@code --json}, and {@code --strict} refuses.
 */
class OfflineDownloadTest {
  @TempDir Path tmp;
  private Ama ama;
  private String store;
  private AssetVersion served;

  @BeforeEach
  void setUp() throws Exception {
    ama = new Ama(tmp);
    store = "switchable:" + ama.store + "?switch=" + tmp.getFileName();
    ama.env.put("AMA_STORE", store);
    // A server on this machine loaded prod into the shared cache.
    try (AssetClient server = AssetClient.builder().store(store).cache(Path.of(ama.env.get("AMA_CACHE"))).build()) {
      Path f = Files.writeString(Files.createDirectories(tmp.resolve("files")).resolve("model.h5"), "weights");
      served = server.newAsset("models").add(f).alias("prod").upload();
      server.load("models", "prod").close();
    }
    SwitchableStorageProvider.offline(tmp.getFileName().toString(), true);
  }

  @AfterEach
  void tearDown() {
    SwitchableStorageProvider.offline(tmp.getFileName().toString(), false);
  }

  @Test
  void anUnreachableStoreDownloadsTheCachedVersionWithAOneLineWarning() throws Exception {
    Ama.Result r = ama.run("download", "models", "--alias", "prod", "-o", "out");
    assertEquals(0, r.code(), r.toString());
    assertEquals("weights", Files.readString(ama.work.resolve("out/model.h5")));
    String[] warnings = r.err().strip().split("\n");
    assertEquals(1, warnings.length, r.err());
    assertTrue(warnings[0].startsWith("ama: warning: store "), warnings[0]);
    assertTrue(warnings[0].contains(" unreachable; downloading the cached version " + served.version().shortHex()
        + " of models/prod (alias last resolved 20"), warnings[0]);
    assertTrue(warnings[0].endsWith("which may be out of date"), warnings[0]);
  }

  @Test
  void jsonSaysTheDownloadCameFromTheCacheAndWhy() throws Exception {
    Ama.Result r = ama.run("download", "models", "--alias", "prod", "-o", "out", "--json");
    assertEquals(0, r.code(), r.toString());
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertTrue(json.get("stale").asBoolean());
    assertTrue(json.get("staleCause").asText().contains("offline"), json.toString());
    assertFalse(json.get("lastResolved").isNull(), json.toString());
    assertEquals(served.version().toString(), json.get("version").asText());
    assertTrue(json.get("signatures").isNull(), "the store is unreachable, so its signatures are unknown: " + json);
  }

  @Test
  void strictRefusesWithTheStoreExitCode() {
    Ama.Result r = ama.run("download", "models", "--alias", "prod", "-o", "out", "--strict");
    assertEquals(ExitCodes.STORE_UNREACHABLE, r.code(), r.toString());
    assertFalse(Files.exists(ama.work.resolve("out/model.h5")));
  }

  @Test
  void anOnlineDownloadSaysItIsNotStale() throws Exception {
    SwitchableStorageProvider.offline(tmp.getFileName().toString(), false);
    Ama.Result r = ama.run("download", "models", "--alias", "prod", "-o", "out", "--json");
    assertEquals(0, r.code(), r.toString());
    assertFalse(new ObjectMapper().readTree(r.out()).get("stale").asBoolean());
    assertEquals("", r.err());
  }
}
