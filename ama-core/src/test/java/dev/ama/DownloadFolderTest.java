package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.storage.InMemoryStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a download may and may not do to its folder. */
class DownloadFolderTest {
  @TempDir Path tmp;
  private final InMemoryStorage storage = new InMemoryStorage();

  /** What a store's first upload writes; a store written object by object needs it to be read. */
  private void markAsStore() throws IOException {
    storage.putIfAbsent(Store.FORMAT_MARKER, Content.ofBytes("{\"format\":\"ama-store\",\"version\":1}".getBytes(StandardCharsets.UTF_8)));
  }

  private AssetClient client() {
    return AssetClient.builder().storage(storage).user("t").cache(tmp.resolve("cache")).build();
  }

  /** A file name of exactly {@code bytes} UTF-8 bytes, with two- and three-byte characters first. */
  static String nameOfBytes(int bytes) {
    StringBuilder sb = new StringBuilder("é字-");
    for (int left; (left = bytes - 4 - sb.toString().getBytes(StandardCharsets.UTF_8).length) > 0; ) {
      sb.append(left >= 2 && sb.length() % 3 == 0 ? "ü" : "a");
    }
    String name = sb.append(".bin").toString();
    assertEquals(bytes, name.getBytes(StandardCharsets.UTF_8).length, name);
    return name;
  }

  private static List<String> entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void namesOf200To255BytesDownloadAndLeaveNothingElse() throws IOException {
    int[] lengths = {200, 208, 209, 210, 231, 254, 255};
    Path src = Files.createDirectories(tmp.resolve("src"));
    List<String> names = new ArrayList<>();
    for (int n : lengths) {
      String name = nameOfBytes(n);
      names.add(name);
      Files.writeString(src.resolve(name), "bytes of a " + n + "-byte name");
    }
    try (AssetClient c = client()) {
      AssetUpload up = c.newAsset("models");
      names.forEach(n -> up.add(n, src.resolve(n)));
      up.alias("long").upload();
      Path out = tmp.resolve("out");
      DownloadResult r = c.download("models", "long").into(out);
      assertEquals(names.stream().sorted().toList(), r.written().stream().sorted().toList());
      for (int i = 0; i < lengths.length; i++) {
        assertEquals("bytes of a " + lengths[i] + "-byte name", Files.readString(out.resolve(names.get(i))));
      }
      assertEquals(names.stream().sorted().toList(), entries(out), "no temporary file is left");
    }
  }

  @Test
  void aFolderRemovedBetweenTwoDownloadsOfOneClientIsMadeAgain() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src/ckpt/deep"));
    Files.writeString(src.resolve("b.bin"), "deep bytes");
    Files.writeString(src.getParent().resolve("a.bin"), "shallow bytes");
    try (AssetClient c = client()) {
      c.newAsset("models").add(tmp.resolve("src/ckpt")).alias("v").upload();
      Path out = tmp.resolve("out");
      c.download("models", "v").into(out);
      // The client has made out/ckpt and out/ckpt/deep; a user removes them before the next download.
      try (Stream<Path> s = Files.walk(out)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }

      c.download("models", "v").into(out);

      assertEquals("deep bytes", Files.readString(out.resolve("ckpt/deep/b.bin")));
      assertEquals("shallow bytes", Files.readString(out.resolve("ckpt/a.bin")));
    }
  }

  @Test
  void aNameLongerThanAFileSystemHoldsIsRefusedOnUpload() throws IOException {
    Path f = Files.writeString(tmp.resolve("f.bin"), "x");
    try (AssetClient c = client()) {
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> c.newAsset("models").add("d/" + "n".repeat(256), f));
      assertTrue(e.getMessage().contains("(256 bytes) is longer than the 255 bytes a file system holds"), e.getMessage());
    }
  }

  @Test
  void aNameLongerThanAFileSystemHoldsInAStoredManifestIsTheManifestsFault() throws IOException {
    String longName = "n".repeat(300);
    byte[] bytes = "weights".getBytes(StandardCharsets.UTF_8);
    Digest blob = Digest.sha256(bytes);
    storage.putIfAbsent(Store.blobKey(blob), Content.ofBytes(bytes));
    byte[] manifest = Manifests.write(new Manifests.Draft("models", List.of(new AssetFile("w/" + longName, blob, bytes.length)),
        List.of(), "other-tool", java.time.Instant.parse("2026-01-01T00:00:00Z"), Optional.empty(), Optional.empty(),
        java.util.Map.of()));
    Digest id = Digest.sha256(manifest);
    storage.putIfAbsent(Store.manifestKey(id), Content.ofBytes(manifest));
    markAsStore();
    try (AssetClient c = client()) {
      Path out = tmp.resolve("out");
      IntegrityException e = assertThrows(IntegrityException.class, () -> c.download(c.version(id)).to(out));
      assertTrue(e.getMessage().startsWith("manifest " + id + " (models) in " + storage.location()
          + " names the file 'w/" + longName + "', whose name 'nnnn"), e.getMessage());
      assertTrue(e.getMessage().contains("(300 bytes) is longer than the 255 bytes a file system holds"), e.getMessage());
      assertFalse(Files.exists(out), "nothing was written");
    }
  }

  @Test
  void aBlobShorterThanItsManifestSaysNamesTheBlobWhenReadInRanges() throws IOException {
    byte[] bytes = new byte[100];
    Digest blob = Digest.sha256(bytes);
    storage.putIfAbsent(Store.blobKey(blob), Content.ofBytes(bytes));
    long claimed = 1_000_000;
    byte[] manifest = Manifests.write(new Manifests.Draft("models", List.of(new AssetFile("m.bin", blob, claimed)),
        List.of(), "other-tool", java.time.Instant.parse("2026-01-01T00:00:00Z"), Optional.empty(), Optional.empty(),
        java.util.Map.of()));
    Digest id = Digest.sha256(manifest);
    storage.putIfAbsent(Store.manifestKey(id), Content.ofBytes(manifest));
    markAsStore();
    try (AssetClient c = AssetClient.builder().storage(storage).user("t").cache(tmp.resolve("cache"))
        .transfers(new TransferSettings(2, 64 * 1024, 2)).build()) {
      Path out = tmp.resolve("out");
      IntegrityException e = assertThrows(IntegrityException.class, () -> c.download(c.version(id)).to(out));
      assertTrue(e.getMessage().startsWith("blob " + Store.blobKey(blob) + " of 'm.bin' in " + storage.location()
          + " is shorter than the 1000000 bytes its manifest says"), e.getMessage());
      assertTrue(e.getMessage().endsWith("upload the asset again to restore it"), e.getMessage());
      assertEquals(List.of(), entries(out), "nothing is left in the folder");
    }
  }

  @Test
  void aSymlinkedSubfolderIsRefusedAndNothingIsWrittenThroughIt() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(Files.createDirectories(src.resolve("sub")).resolve("a.bin"), "a");
    Files.writeString(src.resolve("top.bin"), "top");
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Path out = Files.createDirectories(tmp.resolve("out"));
    Path link = Files.createSymbolicLink(out.resolve("sub"), elsewhere);
    try (AssetClient c = client()) {
      c.newAsset("models").add("sub/a.bin", src.resolve("sub/a.bin")).add("top.bin", src.resolve("top.bin"))
          .alias("m").upload();
      for (boolean force : new boolean[] {false, true}) {
        AssetDownload d = c.download("models", "m");
        if (force) {
          d.force();
        }
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> d.to(out));
        assertEquals("cannot download into " + out + ": " + link + " is a symbolic link (to " + elsewhere
            + "), and files placed through it would land outside the download folder. Nothing was written; remove the"
            + " link (rm " + link + ") or download into another folder", e.getMessage());
        assertEquals(List.of(), entries(elsewhere), "nothing was written through the link");
        assertEquals(List.of("sub"), entries(out), "nothing was written at all");
      }
    }
  }

  @Test
  void aSymlinkWhereAFileGoesIsAConflictAndForceReplacesTheLinkNotItsTarget() throws IOException {
    Path src = Files.writeString(tmp.resolve("a.bin"), "new");
    // The link's target holds the very bytes of the file: still not the file in place.
    Path victim = Files.writeString(tmp.resolve("victim.bin"), "new");
    Path out = Files.createDirectories(tmp.resolve("out"));
    Files.createSymbolicLink(out.resolve("a.bin"), victim);
    try (AssetClient c = client()) {
      c.newAsset("models").add(src).alias("m").upload();
      assertThrows(ConflictException.class, () -> c.download("models", "m").to(out));
      DownloadResult r = c.download("models", "m").force().into(out);
      assertEquals(List.of("a.bin"), r.replaced());
      assertFalse(Files.isSymbolicLink(out.resolve("a.bin")));
      assertEquals("new", Files.readString(out.resolve("a.bin")));
      assertEquals("new", Files.readString(victim));
    }
  }

  @Test
  void forceSaysWhichFilesItReplaced() throws IOException {
    Path v1 = Files.createDirectories(tmp.resolve("v1"));
    Path v2 = Files.createDirectories(tmp.resolve("v2"));
    Files.writeString(v1.resolve("same.txt"), "same");
    Files.writeString(v2.resolve("same.txt"), "same");
    Files.writeString(v1.resolve("changed.txt"), "old");
    Files.writeString(v2.resolve("changed.txt"), "new");
    Files.writeString(v1.resolve("only-old.txt"), "old only");
    Files.writeString(v2.resolve("only-new.txt"), "new only");
    Path out = tmp.resolve("out");
    try (AssetClient c = client()) {
      AssetVersion one = c.newAsset("models").add(files(v1)).alias("m").upload();
      AssetVersion two = c.newAsset("models").add(files(v2)).alias("m").upload();
      DownloadResult first = c.download(one).into(out);
      assertEquals(List.of(), first.replaced());
      DownloadResult r = c.download(two).force().into(out);
      assertEquals(List.of("changed.txt"), r.replaced());
      assertEquals(List.of("changed.txt", "only-new.txt"), r.written().stream().sorted().toList());
      assertEquals(List.of("same.txt"), r.unchanged());
      assertEquals("new", Files.readString(out.resolve("changed.txt")));
      assertEquals("old only", Files.readString(out.resolve("only-old.txt")), "files the version lacks are left alone");
    }
  }

  private static Path[] files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toArray(Path[]::new);
    }
  }

  @Test
  void includeSelectsTheVersionsFilesAndRefsComeWhole() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("train.csv"), "a,b\n");
    Files.writeString(src.resolve("README"), "data");
    Files.writeString(src.resolve("model.h5"), "weights");
    Files.writeString(src.resolve("ckpt.pt"), "four gigabytes, say");
    try (AssetClient c = client()) {
      c.newAsset("data").add("train.csv", src.resolve("train.csv")).add("README", src.resolve("README")).alias("d").upload();
      c.newAsset("models").add("model.h5", src.resolve("model.h5")).add("ckpt.pt", src.resolve("ckpt.pt"))
          .ref("data", "d").alias("m").upload();
      Path out = tmp.resolve("out");
      DownloadResult r = c.download("models", "m").include("*.h5").withRefs().into(out);
      assertEquals(List.of("model.h5", "refs"), entries(out));
      assertEquals(List.of("README", "train.csv"), entries(out.resolve("refs/data/d")));
      assertEquals(3, r.written().size(), r.toString());

      Path single = tmp.resolve("models/mainModel.h5");
      DownloadResult one = c.download("models", "m").fileTo("model.h5", single);
      assertEquals("weights", Files.readString(single));
      assertEquals(List.of("mainModel.h5"), one.written());
      assertEquals(List.of("mainModel.h5"), entries(single.getParent()), "no temporary file left beside it");
      InvalidInputException refused = assertThrows(InvalidInputException.class,
          () -> c.download("models", "m").withRefs().fileTo("model.h5", tmp.resolve("x.h5")));
      assertTrue(refused.getMessage().contains("withRefs() does not apply"), refused.getMessage());
      assertFalse(Files.exists(tmp.resolve("x.h5")));
    }
  }
}
