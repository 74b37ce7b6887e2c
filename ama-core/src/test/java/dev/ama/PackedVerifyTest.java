package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.VerifyReport.Kind;
import dev.ama.VerifyReport.Problem;
import dev.ama.spi.ObjectInfo;
import dev.ama.storage.FileSystemStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code verify} on a store in format 2: packs, upload records and content markers checked as docs/store-format.md says. */
class PackedVerifyTest {
  private static final String TYPE = "datasets";
  @TempDir Path tmp;
  private Path storeDir;
  private AssetVersion kept;

  @BeforeEach
  void setUp() throws IOException {
    storeDir = tmp.resolve("store");
    try (AssetClient c = client()) {
      kept = c.newAsset(TYPE).add(Files.writeString(tmp.resolve("a.csv"), "a,b\n1,2\n"))
          .add(Files.writeString(tmp.resolve("b.yml"), "lr: 1\n")).alias("train").upload();
      // An upload without an alias: its pack is a leftover.
      c.newAsset(TYPE).add(Files.writeString(tmp.resolve("c.txt"), "unaliased")).upload();
    }
  }

  private AssetClient client() {
    return AssetClient.builder().storage(new FileSystemStorage(storeDir)).user("alice").newStoreFormat(2)
        .cache(tmp.resolve("cache-" + System.nanoTime())).build();
  }

  private VerifyReport verify(VerifyOptions options) {
    try (AssetClient c = client()) {
      return c.verify(options);
    }
  }

  private Path packOf(AssetVersion v) throws IOException {
    String hex = null;
    try (Stream<Path> s = Files.walk(storeDir.resolve("index/uploads"))) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        if (p.getFileName().toString().contains(v.version().hex())) {
          String record = Files.readString(p);
          int at = record.indexOf("\"pack\":\"sha256:") + "\"pack\":\"sha256:".length();
          hex = record.substring(at, at + 64);
        }
      }
    }
    return storeDir.resolve("packs/sha256/" + hex.substring(0, 2) + "/" + hex);
  }

  private static Problem only(VerifyReport r, Kind kind) {
    List<Problem> found = r.problems().stream().filter(p -> p.kind() == kind).toList();
    assertEquals(1, found.size(), r.problems().toString());
    return found.get(0);
  }

  @Test
  void aHealthyPackedStoreVerifiesShallowAndDeep() {
    VerifyReport shallow = verify(VerifyOptions.DEFAULTS);
    assertTrue(shallow.ok(), shallow.problems().toString());
    assertEquals(List.of(), shallow.leftovers().unrecognized(), "every format 2 object is recognized");
    assertEquals(1, shallow.leftovers().blobs(), "the unaliased upload's pack is a leftover");
    VerifyReport deep = verify(VerifyOptions.DEFAULTS.withDeep());
    assertTrue(deep.ok(), deep.problems().toString());
    assertEquals(2, deep.checked().blobsHashed(), "both packs hashed");
  }

  @Test
  void aMissingPackIsReportedNamingThePackAndTheAliasItBreaks() throws IOException {
    Path pack = packOf(kept);
    Files.delete(pack);
    Problem p = only(verify(VerifyOptions.DEFAULTS), Kind.BLOB_MISSING);
    assertTrue(p.key().startsWith("packs/sha256/") && p.message().contains("is missing"), p.message());
    assertEquals(List.of(TYPE + "/train"), p.affects().aliases());
  }

  @Test
  void aCorruptPackIsFoundByTheDeepCheckNamingTheBlob() throws IOException {
    Path pack = packOf(kept);
    byte[] bytes = Files.readAllBytes(pack);
    bytes[2] ^= 1;
    pack.toFile().setWritable(true);
    Files.write(pack, bytes);
    assertTrue(verify(VerifyOptions.DEFAULTS).ok(), "a shallow check sees the right size");
    Problem p = only(verify(VerifyOptions.DEFAULTS.withDeep()), Kind.BLOB_CORRUPT);
    assertTrue(p.message().contains(kept.file("a.csv").orElseThrow().digest().toString()), p.message());
    assertEquals(List.of(TYPE + "/train"), p.affects().aliases());
  }

  @Test
  void aMissingUploadRecordIsReported() throws IOException {
    try (Stream<Path> s = Files.list(storeDir.resolve("index/uploads"))) {
      for (Path p : s.filter(f -> f.getFileName().toString().contains(kept.version().hex())).toList()) {
        Files.delete(p);
      }
    }
    Problem p = only(verify(VerifyOptions.DEFAULTS), Kind.BLOB_MISSING);
    assertTrue(p.message().contains("no upload record"), p.message());
  }

  @Test
  void aMissingContentMarkerIsRepaired() throws IOException {
    Path marker;
    try (Stream<Path> s = Files.walk(storeDir.resolve("index/contents"))) {
      marker = s.filter(f -> f.getFileName().toString().endsWith(kept.version().hex())).findFirst().orElseThrow();
    }
    Files.delete(marker);
    Problem p = only(verify(VerifyOptions.DEFAULTS.withRepair()), Kind.MARKER_MISSING);
    assertTrue(p.repaired(), p.message());
    assertTrue(Files.exists(marker), "the content marker was written again");
    assertTrue(verify(VerifyOptions.DEFAULTS).ok());
  }
}
