package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ama command on a damaged, foreign, newer or missing store: the exit codes and messages users see. */
class HostileStoreCommandsTest {
  @TempDir Path tmp;
  Ama ama;

  @BeforeEach
  void setUp() {
    ama = new Ama(tmp);
    ama.ok("init", "models");
  }

  private String upload(String content, String alias) throws Exception {
    ama.write("model.h5", content);
    ama.ok("add", "model.h5");
    ama.ok("set", "--alias", alias);
    return new ObjectMapper().readTree(ama.ok("upload", "--json").out()).get("version").asText();
  }

  private Ama.Result uploadRun(String content, String alias) {
    ama.write("model.h5", content);
    ama.ok("add", "model.h5");
    ama.ok("set", "--alias", alias);
    return ama.run("upload");
  }

  /** Reads from now on as another machine would, without the manifests this one cached while uploading. */
  private void freshCache() {
    ama.env.put("AMA_CACHE", tmp.resolve("other-cache").toString());
  }

  private Path manifest(String version) {
    String hex = version.substring("sha256:".length());
    return ama.store.resolve("manifests/sha256/" + hex.substring(0, 2) + "/" + hex + ".json");
  }

  @Test
  void lsOnAnEmptyFolderFailsNamingThePath() throws Exception {
    upload("w", "best");
    // A folder that does not exist at all is refused before the store is asked (MissingStoreTest).
    Path typo = Files.createDirectories(tmp.resolve("stroe"));
    ama.env.put("AMA_STORE", typo.toString());
    Ama.Result r = ama.run("ls");
    assertEquals(ExitCodes.STORE_UNREACHABLE, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: no AMA store at " + typo.toUri()) && r.err().contains("AMA_STORE"), r.err());
    assertFalse(Files.exists(typo.resolve("ama-store.json")), "a read creates no store");
  }

  @Test
  void uploadingIntoAFolderOfOtherFilesIsRefusedNamingTheFolder() throws Exception {
    Files.createDirectories(ama.store);
    Files.writeString(ama.store.resolve("notes.txt"), "mine");
    Ama.Result r = uploadRun("w", "best");
    assertEquals(ExitCodes.INVALID_INPUT, r.code(), r.toString());
    assertTrue(r.err().contains(ama.store.toUri().toString()) && r.err().contains("not an AMA store"), r.err());
    assertFalse(Files.exists(ama.store.resolve("ama-store.json")));
  }

  @Test
  void aNewerFormatStoreIsRefusedForUploadsOfKnownContentAndForReads() throws Exception {
    upload("w", "best");
    Files.writeString(ama.store.resolve("ama-store.json"), "{\"format\":\"ama-store\",\"version\":99}");
    Ama.Result up = uploadRun("w", "other");
    assertEquals(ExitCodes.INVALID_INPUT, up.code(), up.toString());
    assertTrue(up.err().contains("format version 99") && up.err().contains("Upgrade AMA"), up.err());
    assertFalse(Files.exists(ama.store.resolve("aliases/models/other")), "no alias entry was written");
    assertEquals(ExitCodes.INVALID_INPUT, ama.run("ls", "models").code());
  }

  @Test
  void aCorruptManifestUnderAnAliasDoesNotBlockAnyWayOfUploadingAgain() throws Exception {
    String v = upload("w", "best");
    Path m = manifest(v);
    byte[] bytes = Files.readAllBytes(m);
    bytes[new String(bytes, StandardCharsets.UTF_8).indexOf("alice")] = 'A';
    Files.write(m, bytes);
    freshCache();

    Ama.Result show = ama.run("show", "models", "--alias", "best");
    assertEquals(ExitCodes.INTEGRITY, show.code(), show.toString());
    assertTrue(show.err().contains("Upload the asset's files again"), show.err());
    assertEquals(0, uploadRun("new weights", "best").code(), "new files to the alias");
    assertEquals(0, uploadRun("w", "best").code(), "the original files again, as the error advises");
    assertEquals(0, uploadRun("w", "copy").code(), "the original files under another alias");
    assertEquals(0, ama.run("show", "models", "--alias", "best").code());
  }

  @Test
  void anAliasAtAMissingManifestIsAnIntegrityError() throws Exception {
    Files.delete(manifest(upload("w", "best")));
    freshCache();
    Ama.Result r = ama.run("download", "models", "--alias", "best", "-o", "out");
    assertEquals(ExitCodes.INTEGRITY, r.code(), r.toString());
    assertTrue(r.err().contains("is missing"), r.err());
  }

  @Test
  void lsVersionsListsTheOthersWhenOneManifestIsMissingAndReportsIt() throws Exception {
    upload("one", "a");
    String missing = upload("two", "b");
    upload("three", "c");
    Files.delete(manifest(missing));
    freshCache();
    Ama.Result r = ama.run("ls", "models", "--versions");
    assertEquals(ExitCodes.INTEGRITY, r.code(), r.toString());
    assertEquals(3, r.out().lines().count(), "the header and the two intact versions: " + r);
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("ama: the manifest of version " + missing + " is missing"), r.err());
    Ama.Result json = ama.run("ls", "models", "--versions", "--json");
    assertEquals(ExitCodes.INTEGRITY, json.code(), json.toString());
    assertEquals(2, new ObjectMapper().readTree(json.out()).size(), json.out());
  }
}
