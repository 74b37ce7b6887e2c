package dev.ama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ManifestsTest {
  private static final Digest A = Digest.sha256("a".getBytes(StandardCharsets.UTF_8));
  private static final Digest B = Digest.sha256("b".getBytes(StandardCharsets.UTF_8));

  private static Manifests.Draft draft(List<AssetFile> files, Map<String, String> labels) {
    return new Manifests.Draft("rnn_models", files, List.of(new Ref("training_params", Optional.of("inputs"), B)),
        "alice", Instant.parse("2026-11-22T08:00:00.123Z"), Optional.of("my_model"), Optional.empty(), labels);
  }

  @Test
  void writesCompactJsonWithSortedKeysAndSortedFiles() {
    byte[] bytes = Manifests.write(draft(
        List.of(new AssetFile("z.yml", A, 1), new AssetFile("a.h5", B, 1)), Map.of("stage", "dev", "owner", "ml")));
    String json = new String(bytes, StandardCharsets.UTF_8);
    assertEquals("{\"alias\":\"my_model\",\"createdAt\":\"2026-11-22T08:00:00.123Z\",\"createdBy\":\"alice\","
        + "\"files\":[{\"digest\":\"" + B + "\",\"path\":\"a.h5\",\"size\":1},"
        + "{\"digest\":\"" + A + "\",\"path\":\"z.yml\",\"size\":1}],"
        + "\"labels\":{\"owner\":\"ml\",\"stage\":\"dev\"},"
        + "\"refs\":[{\"alias\":\"inputs\",\"type\":\"training_params\",\"version\":\"" + B + "\"}],"
        + "\"schema\":1,\"type\":\"rnn_models\"}", json);
  }

  @Test
  void theSameDraftInAnyFileOrderGivesTheSameBytes() {
    byte[] one = Manifests.write(draft(List.of(new AssetFile("a", A, 1), new AssetFile("b", B, 1)), Map.of()));
    byte[] two = Manifests.write(draft(List.of(new AssetFile("b", B, 1), new AssetFile("a", A, 1)), Map.of()));
    assertArrayEquals(one, two);
  }

  @Test
  void readsBackWhatItWroteUnderTheDigestOfItsBytes() {
    Manifests.Draft d = draft(List.of(new AssetFile("données/mödel 1.h5", A, 1)), Map.of("k", "v"));
    byte[] bytes = Manifests.write(d);
    AssetVersion v = Manifests.read(Digest.sha256(bytes), bytes, "mem:test");
    assertEquals(Manifests.fromDraft(Digest.sha256(bytes), d).files(), v.files());
    assertEquals(d.refs(), v.refs());
    assertEquals(d.createdAt(), v.createdAt());
    assertEquals(Optional.of("my_model"), v.alias());
    assertEquals(Map.of("k", "v"), v.labels());
  }

  @Test
  void refusesBytesThatDoNotHashToTheId() {
    byte[] bytes = Manifests.write(draft(List.of(new AssetFile("a", A, 1)), Map.of()));
    IntegrityException e = assertThrows(IntegrityException.class, () -> Manifests.read(A, bytes, "mem:test"));
    assertTrue(e.getMessage().contains("is corrupt") && e.getMessage().contains("mem:test"), e.getMessage());
  }

  @Test
  void refusesAStoredManifestWithAPathLeavingTheTargetFolder() {
    String json = new String(Manifests.write(draft(List.of(new AssetFile("evil", A, 1)), Map.of())), StandardCharsets.UTF_8)
        .replace("\"path\":\"evil\"", "\"path\":\"../../.bashrc\"");
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    IntegrityException e = assertThrows(IntegrityException.class,
        () -> Manifests.read(Digest.sha256(bytes), bytes, "mem:test"));
    assertTrue(e.getMessage().contains("../../.bashrc") && e.getMessage().contains("unsafe"), e.getMessage());
  }

  @Test
  void refusesAManifestFromANewerSchemaAskingForAnUpgrade() {
    byte[] bytes = "{\"schema\":2,\"type\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    IntegrityException e = assertThrows(IntegrityException.class,
        () -> Manifests.read(Digest.sha256(bytes), bytes, "mem:test"));
    assertTrue(e.getMessage().contains("Upgrade AMA"), e.getMessage());
  }

  @Test
  void refusesMalformedJsonNamingTheManifest() {
    byte[] bytes = "{not json".getBytes(StandardCharsets.UTF_8);
    Digest id = Digest.sha256(bytes);
    IntegrityException e = assertThrows(IntegrityException.class, () -> Manifests.read(id, bytes, "mem:test"));
    assertTrue(e.getMessage().contains(id.toString()), e.getMessage());
  }

  private static byte[] edited(String from, String to) {
    String json = new String(Manifests.write(draft(List.of(new AssetFile("a", A, 1)), Map.of())), StandardCharsets.UTF_8);
    assertTrue(json.contains(from), json);
    return json.replace(from, to).getBytes(StandardCharsets.UTF_8);
  }

  private static IntegrityException refused(byte[] bytes) {
    return assertThrows(IntegrityException.class, () -> Manifests.read(Digest.sha256(bytes), bytes, "mem:test"));
  }

  @Test
  void refusesAManifestWithADuplicateKey() {
    // Last key wins in a lenient parser: this would read as type "evil" to one reader, "rnn_models" to another.
    IntegrityException e = refused(edited("\"type\":\"rnn_models\"", "\"type\":\"rnn_models\",\"type\":\"evil\""));
    assertTrue(e.getMessage().contains("Duplicate field 'type'"), e.getMessage());
  }

  @Test
  void refusesAManifestWithDataAfterTheObject() {
    byte[] canonical = Manifests.write(draft(List.of(new AssetFile("a", A, 1)), Map.of()));
    byte[] trailing = (new String(canonical, StandardCharsets.UTF_8) + "{\"schema\":1}").getBytes(StandardCharsets.UTF_8);
    IntegrityException e = refused(trailing);
    assertTrue(e.getMessage().contains("Trailing token"), e.getMessage());
  }

  @Test
  void aSchemaThatIsNotAWholeNumberIsReportedAsStoredNotAsSomeOtherNumber() {
    IntegrityException e = refused(edited("\"schema\":1", "\"schema\":1e20"));
    assertTrue(e.getMessage().contains("'schema'") && e.getMessage().contains("1.0E20"), e.getMessage());
    assertFalse(e.getMessage().contains("1661992960"), e.getMessage());

    IntegrityException huge = refused(edited("\"schema\":1", "\"schema\":100000000000000000000"));
    assertTrue(huge.getMessage().contains("schema 100000000000000000000") && huge.getMessage().contains("Upgrade AMA"),
        huge.getMessage());
  }

  @Test
  void aSizeThatIsNotAWholeNumberInRangeIsRefused() {
    assertTrue(refused(edited("\"size\":1", "\"size\":1.5")).getMessage().contains("'size'"));
    assertTrue(refused(edited("\"size\":1", "\"size\":-1")).getMessage().contains("'size'"));
    assertTrue(refused(edited("\"size\":1", "\"size\":99999999999999999999")).getMessage().contains("'size'"));
  }

  @Test
  void aFileAndAFileBeneathItOfTheSameNameAreRefusedWhenTheManifestIsRead() {
    byte[] bytes = Manifests.write(draft(List.of(new AssetFile("a", A, 1), new AssetFile("a/b", B, 1)), Map.of()));
    IntegrityException e = refused(bytes);
    assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("'a/b'"), e.getMessage());
  }

  @Test
  void anAliasEntryWithADuplicateKeyOrTrailingDataIsRefused() {
    AliasEntry entry = new AliasEntry("rnn_models", "m", 1, A, Optional.empty(), "alice", Instant.parse("2026-11-22T08:00:00Z"));
    String json = new String(Manifests.writeAliasEntry(entry), StandardCharsets.UTF_8);
    for (String bad : List.of(json.replace("\"seq\":1", "\"seq\":1,\"seq\":2"), json + " {}", json.replace("\"seq\":1", "\"seq\":1e0"))) {
      assertThrows(IntegrityException.class,
          () -> Manifests.readAliasEntry(bad.getBytes(StandardCharsets.UTF_8), "aliases/rnn_models/m/0000000001.json", "mem:test"), bad);
    }
    assertEquals(entry, Manifests.readAliasEntry(json.getBytes(StandardCharsets.UTF_8), "k", "mem:test"));
  }

  @Test
  void aRemovalIsWrittenAsDocumentedWithoutAVersionSoOlderReadersRefuseIt() {
    AliasEntry removal = AliasEntry.removal("rnn_models", "prod", 4, A, "alice", Instant.parse("2026-12-01T12:40:00Z"));
    byte[] bytes = Manifests.writeAliasEntry(removal);

    assertEquals("{\"alias\":\"prod\",\"at\":\"2026-12-01T12:40:00Z\",\"by\":\"alice\",\"previous\":\"" + A
        + "\",\"removed\":true,\"seq\":4,\"type\":\"rnn_models\"}", new String(bytes, StandardCharsets.UTF_8));
    // The compatibility argument of store-format.md rests on this: every reader before removals
    // required 'version', so an entry without one is refused there, never taken for a pointer.
    assertFalse(new String(bytes, StandardCharsets.UTF_8).contains("\"version\""));
    AliasEntry read = Manifests.readAliasEntry(bytes, "aliases/rnn_models/prod/0000000004.json", "mem:test");
    assertEquals(removal, read);
    assertTrue(read.removed());
    IllegalStateException e = assertThrows(IllegalStateException.class, read::version);
    assertTrue(e.getMessage().contains("removal by alice"), e.getMessage());
  }

  @Test
  void anEntryThatIsBothOrNeitherAMoveAndARemovalIsRefused() {
    AliasEntry move = new AliasEntry("rnn_models", "prod", 2, B, Optional.of(A), "alice", Instant.parse("2026-12-01T12:40:00Z"));
    String json = new String(Manifests.writeAliasEntry(move), StandardCharsets.UTF_8);
    String key = "aliases/rnn_models/prod/0000000002.json";
    List<String> bad = List.of(
        json.replace("\"seq\"", "\"removed\":true,\"seq\""),
        json.replace("\"seq\"", "\"removed\":false,\"seq\""),
        json.replace(",\"version\":\"" + B + "\"", ""),
        json.replace(",\"version\":\"" + B + "\"", "").replace("\"seq\"", "\"removed\":\"yes\",\"seq\""),
        json.replace(",\"version\":\"" + B + "\"", "").replace("\"previous\":\"" + A + "\",", "\"removed\":true,"));
    List<String> why = List.of("both a removal and a move", "'removed'", "'version'", "'removed'", "without 'previous'");
    for (int i = 0; i < bad.size(); i++) {
      String b = bad.get(i);
      IntegrityException e = assertThrows(IntegrityException.class,
          () -> Manifests.readAliasEntry(b.getBytes(StandardCharsets.UTF_8), key, "mem:test"), b);
      assertTrue(e.getMessage().contains(why.get(i)) && e.getMessage().contains(key), b + " -> " + e.getMessage());
    }
  }
}
