package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ama.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local files, download folders and the local cache, as the CLI shows them. */
class LocalFilesTest {
  @TempDir Path tmp;

  private static Path only(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> found = s.filter(p -> p.toString().endsWith(suffix)).toList();
      assertEquals(1, found.size(), found.toString());
      return found.get(0);
    }
  }

  /** Starts an asset of type models with these staged paths under an alias, and uploads it. */
  private static Ama.Result uploadStaged(Ama ama, String alias, String... paths) {
    ama.ok("init", "models", "--force");
    String[] add = new String[paths.length + 1];
    add[0] = "add";
    System.arraycopy(paths, 0, add, 1, paths.length);
    ama.ok(add);
    ama.ok("set", "--alias", alias);
    return ama.ok("upload", "--json");
  }

  @Test
  void rehashOverrulesAHashCacheThatRemembersTheWrongDigest() throws IOException {
    Ama ama = new Ama(tmp);
    Path model = ama.write("model.bin", "the weights");
    Files.setLastModifiedTime(model, FileTime.from(Instant.now().minusSeconds(60)));
    String first = uploadStaged(ama, "m", "model.bin").out();
    // A table that lies, as one written by a stamp that could not see an edit would.
    Path table = only(ama.root.resolve("cache/hashes"), ".tsv");
    String real = Digest.sha256("the weights".getBytes(StandardCharsets.UTF_8)).toString();
    String lie = Digest.sha256("other bytes".getBytes(StandardCharsets.UTF_8)).toString();
    Files.writeString(table, Files.readString(table).replace(real, lie));

    ama.ok("add", "model.bin");
    Ama.Result trusting = ama.run("upload");
    assertEquals(8, trusting.code(), trusting.toString());
    ama.ok("add", "model.bin");
    Ama.Result r = ama.run("upload", "--rehash", "--json");
    assertEquals(0, r.code(), r.toString());
    ObjectMapper json = new ObjectMapper();
    assertEquals(json.readTree(first).get("version"), json.readTree(r.out()).get("version"),
        "the same bytes are the same version");
    assertTrue(Files.readString(table).contains(real), "the rehashed digest replaced the lie");
  }

  @Test
  void forceListsTheFilesItReplaced() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("a.txt", "a1");
    ama.write("b.txt", "b");
    uploadStaged(ama, "m", "a.txt", "b.txt");
    ama.ok("download", "models", "--alias", "m", "-o", "out");
    ama.write("a.txt", "a2");
    uploadStaged(ama, "m", "a.txt", "b.txt");

    assertEquals(5, ama.run("download", "models", "--alias", "m", "-o", "out").code());
    Ama.Result r = ama.ok("download", "models", "--alias", "m", "-o", "out", "--force");
    assertTrue(r.out().endsWith("replaced 1 file(s) that held other content: a.txt\n"), r.out());
    assertEquals("a2", Files.readString(ama.work.resolve("out/a.txt")));

    ama.write("out/a.txt", "edited");
    JsonNode j = new ObjectMapper().readTree(ama.ok("download", "models", "--alias", "m", "-o", "out", "--force", "--json").out());
    assertEquals("[\"a.txt\"]", j.get("replaced").toString());
    JsonNode again = new ObjectMapper().readTree(ama.ok("download", "models", "--alias", "m", "-o", "out", "--json").out());
    assertEquals("[]", again.get("replaced").toString());
  }

  @Test
  void aSymlinkedSubfolderOfTheDownloadFolderExitsWithInvalidInputNamingTheLink() throws IOException {
    Ama ama = new Ama(tmp);
    ama.write("sub/w.bin", "w");
    uploadStaged(ama, "m", "sub");
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Path out = Files.createDirectories(ama.work.resolve("out"));
    Path link = Files.createSymbolicLink(out.resolve("sub"), elsewhere);
    Ama.Result r = ama.run("download", "models", "--alias", "m", "-o", "out", "--force");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: cannot download into " + out + ": " + link + " is a symbolic link"), r.err());
    assertTrue(r.err().endsWith("remove the link (rm " + link + ") or download into another folder\n"), r.err());
    try (Stream<Path> s = Files.list(elsewhere)) {
      assertEquals(0, s.count(), "nothing was written through the link");
    }
  }

  @Test
  void aStoredNameNoFileSystemHoldsIsAnIntegrityErrorNamingTheManifest() throws IOException {
    Ama ama = new Ama(tmp);
    StoreCommandsTest.upload(ama, "models", "m", "w.bin", "weights");
    Path stored = only(ama.store.resolve("manifests"), ".json");
    String longName = "n".repeat(256);
    byte[] bytes = Files.readString(stored).replace("\"path\":\"w.bin\"", "\"path\":\"" + longName + "\"")
        .getBytes(StandardCharsets.UTF_8);
    Digest id = Digest.sha256(bytes);
    Path crafted = ama.store.resolve("manifests/sha256/" + id.hex().substring(0, 2) + "/" + id.hex() + ".json");
    Files.createDirectories(crafted.getParent());
    Files.write(crafted, bytes);
    Ama.Result r = ama.run("download", "models", "--alias", id.toString(), "-o", "out");
    assertEquals(6, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: manifest " + id + " (models) in "), r.err());
    assertTrue(r.err().contains("(256 bytes) is longer than the 255 bytes a file system holds"), r.err());
    assertTrue(!Files.exists(ama.work.resolve("out")), "nothing was written");
  }
}
