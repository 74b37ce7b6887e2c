package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.spi.Content;
import dev.ama.spi.Storage;
import dev.ama.storage.FileSystemStorage;
import dev.ama.testing.AgingStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed versions and alias moves, and a client's trust policy: what it loads, and what it refuses
 * before writing a byte. A real filesystem store, real Ed25519 keys, no mocks.
 */
class TrustTest {
  @TempDir Path tmp;
  private Storage storage;
  private AgingStorage aging;
  private SigningKey release;
  private SigningKey intruder;
  private Path model;

  @BeforeEach
  void setUp() throws IOException {
    storage = new FileSystemStorage(tmp.resolve("store"));
    aging = new AgingStorage(storage);
    release = SigningKey.generate("release");
    intruder = SigningKey.generate("intruder");
    model = Files.createDirectories(tmp.resolve("files"));
    Files.writeString(model.resolve("model.h5"), "weights v1");
    Files.writeString(model.resolve("model.yml"), "layers: 3\n");
  }

  @AfterEach
  void close() throws IOException {
    storage.close();
  }

  private AssetClient client(TrustPolicy policy) {
    return AssetClient.builder().newStoreFormat(1).storage(aging).cache(tmp.resolve("cache-" + System.nanoTime())).user("alice")
        .trust(policy).build();
  }

  private AssetClient writer() {
    return AssetClient.builder().newStoreFormat(1).storage(aging).cache(tmp.resolve("writer-cache")).user("alice").build();
  }

  private TrustPolicy signedVersions() {
    return TrustPolicy.builder().key(release.publicKey()).rule(TrustPolicy.Rule.signedVersions("*", "release")).build();
  }

  private TrustPolicy signedMoves() {
    return TrustPolicy.builder().key(release.publicKey()).rule(TrustPolicy.Rule.signedMoves("rnn_models", "prod", "release"))
        .build();
  }

  private AssetVersion upload(AssetClient c, Optional<SigningKey> key) {
    AssetUpload u = c.newAsset("rnn_models").add(model.resolve("model.h5"), model.resolve("model.yml")).alias("prod");
    key.ifPresent(u::sign);
    return u.upload();
  }

  private static boolean isEmpty(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return true;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  private String signatureKey(AssetVersion v, SigningKey k) {
    return StoreLayout.signature(v.version(), k.keyId());
  }

  private void replace(String key, byte[] bytes) throws IOException {
    storage.delete(key);
    storage.putIfAbsent(key, Content.ofBytes(bytes));
  }

  /** Refuses a download of prod into a fresh folder, and checks nothing was written there. */
  private UntrustedException refusedDownload(AssetClient c) throws IOException {
    Path dest = tmp.resolve("dest-" + System.nanoTime());
    UntrustedException e = assertThrows(UntrustedException.class, () -> c.download("rnn_models", "prod").to(dest));
    assertTrue(isEmpty(dest), "nothing written to " + dest);
    return e;
  }

  @Test
  void aSignedVersionLoadsAndDownloadsUnderAPolicyRequiringSignatures() throws IOException {
    AssetVersion v;
    try (AssetClient w = writer()) {
      v = upload(w, Optional.of(release));
    }
    try (AssetClient c = client(signedVersions()); LoadedAsset loaded = c.load("rnn_models", "prod")) {
      assertEquals(v.version(), loaded.version());
      Path dest = c.download("rnn_models", "prod").to(tmp.resolve("dl"));
      assertEquals("weights v1", Files.readString(dest.resolve("model.h5")));
      List<VersionSignature> sigs = c.signatures(v);
      assertEquals(1, sigs.size());
      assertEquals(new VersionSignature(release.keyId(), Optional.of("release"), VersionSignature.Status.VALID,
          Optional.empty()), sigs.get(0));
    }
  }

  @Test
  void anUnsignedVersionIsRefusedBeforeAByteIsWrittenNamingTheRuleAndTheFix() throws IOException {
    AssetVersion v;
    try (AssetClient w = writer()) {
      v = upload(w, Optional.empty());
    }
    try (AssetClient c = client(signedVersions())) {
      UntrustedException e = refusedDownload(c);
      assertTrue(e.getMessage().contains(v.version().toString()), e.getMessage());
      assertTrue(e.getMessage().contains("rule 1 of the trust policy"), e.getMessage());
      assertTrue(e.getMessage().contains("has no signature by release"), e.getMessage());
      assertTrue(e.getMessage().contains("ama sign rnn_models " + v.version()), e.getMessage());
      assertThrows(UntrustedException.class, () -> c.load("rnn_models", "prod"));
      assertTrue(isEmpty(c.cacheDir().resolve("versions")), "the cache assembled nothing");
    }
  }

  @Test
  void signingAnExistingVersionMakesItLoadAndSigningTwiceWritesNothing() {
    try (AssetClient w = writer(); AssetClient c = client(signedVersions())) {
      AssetVersion v = upload(w, Optional.empty());
      assertThrows(UntrustedException.class, () -> c.load("rnn_models", "prod"));
      assertTrue(w.sign(v, release));
      assertFalse(w.sign(v, release), "the same key signing again writes nothing");
      assertTrue(w.sign(v, intruder), "another key adds its own signature");
      try (LoadedAsset loaded = c.load("rnn_models", "prod")) {
        assertEquals(v.version(), loaded.version());
      }
      assertEquals(2, c.signatures(v).size());
      assertTrue(c.signatures(v).stream().anyMatch(s -> s.status() == VersionSignature.Status.UNKNOWN_KEY));
    }
  }

  @Test
  void aTamperedPayloadIsRefused() throws IOException {
    try (AssetClient w = writer(); AssetClient c = client(signedVersions())) {
      AssetVersion v = upload(w, Optional.of(release));
      String key = signatureKey(v, release);
      ObjectNode env = (ObjectNode) Manifests.JSON.readTree(storage.open(key));
      String statement = new String(Base64.getDecoder().decode(env.get("payload").asText()), StandardCharsets.UTF_8);
      env.put("payload", Base64.getEncoder().encodeToString(statement.replace("model.h5", "model.h6").getBytes(StandardCharsets.UTF_8)));
      replace(key, Manifests.canonical(env));
      assertTrue(refusedDownload(c).getMessage().contains("does not verify"));
    }
  }

  @Test
  void aValidSignatureOverAWrongSubjectDigestIsRefused() throws IOException {
    try (AssetClient w = writer(); AssetClient c = client(signedVersions())) {
      AssetVersion v = upload(w, Optional.of(release));
      String statement = new String(VersionStatement.of(v), StandardCharsets.UTF_8)
          .replace(v.file("model.h5").orElseThrow().digest().hex(), "00".repeat(32));
      replace(signatureKey(v, release), Dsse.sign(Dsse.IN_TOTO, statement.getBytes(StandardCharsets.UTF_8), release));
      String m = refusedDownload(c).getMessage();
      assertTrue(m.contains("gives the file 'model.h5' the digest sha256:" + "00".repeat(32)), m);
    }
  }

  @Test
  void aSignatureByAnUntrustedKeyIsRefused() throws IOException {
    try (AssetClient w = writer(); AssetClient c = client(signedVersions())) {
      AssetVersion v = upload(w, Optional.of(intruder));
      // The intruder's envelope, stored under the trusted key's name.
      byte[] forged = storage.open(signatureKey(v, intruder)).readAllBytes();
      storage.putIfAbsent(signatureKey(v, release), Content.ofBytes(forged));
      assertTrue(refusedDownload(c).getMessage().contains("does not verify with its public key"));
    }
  }

  @Test
  void aSignatureOfAnotherVersionIsRefused() throws IOException {
    try (AssetClient w = writer(); AssetClient c = client(signedVersions())) {
      AssetVersion signed = upload(w, Optional.of(release));
      Files.writeString(model.resolve("model.h5"), "weights of the attacker");
      AssetVersion other = upload(w, Optional.empty());
      byte[] copied = storage.open(signatureKey(signed, release)).readAllBytes();
      storage.putIfAbsent(signatureKey(other, release), Content.ofBytes(copied));
      String m = refusedDownload(c).getMessage();
      assertTrue(m.contains("signs version " + signed.version()) && m.contains("copied from another version"), m);
    }
  }

  @Test
  void signedAliasMovesAreFollowedAndAnUnsignedMoveIsRefused() throws IOException {
    try (AssetClient w = writer(); AssetClient c = client(signedMoves())) {
      AssetVersion v1 = upload(w, Optional.of(release));
      AliasEntry head = w.alias("rnn_models", "prod").orElseThrow();
      assertEquals(release.keyId(), head.signature().orElseThrow().keyId());
      try (LoadedAsset loaded = c.load("rnn_models", "prod")) {
        assertEquals(v1.version(), loaded.version());
      }
      Files.writeString(model.resolve("model.h5"), "weights of the attacker");
      AssetVersion v2 = upload(w, Optional.empty());
      String m = refusedDownload(c).getMessage();
      assertTrue(m.contains("entry 2") && m.contains("carries no signature") && m.contains("--sign release.key.pem"), m);
      // A holder of the release key signs the head where it is: a signed entry is appended.
      assertEquals(AliasUpdate.Result.MOVED, w.setAlias("rnn_models", "prod", v2, AliasExpectation.any(), release).result());
      try (LoadedAsset loaded = c.load("rnn_models", "prod")) {
        assertEquals(v2.version(), loaded.version());
      }
    }
  }

  @Test
  void aWatchKeepsServingItsSignedVersionWhenTheAliasMovesWithoutASignature() throws Exception {
    java.util.concurrent.BlockingQueue<AssetWatch.MoveFailure> failures = new java.util.concurrent.LinkedBlockingQueue<>();
    java.util.concurrent.BlockingQueue<LoadedAsset> moves = new java.util.concurrent.LinkedBlockingQueue<>();
    AssetWatch.Listener listener = new AssetWatch.Listener() {
      @Override
      public void moved(LoadedAsset from, LoadedAsset to) {
        moves.add(to);
      }

      @Override
      public void moveFailed(AssetWatch.MoveFailure f) {
        failures.add(f);
      }
    };
    try (AssetClient w = writer(); AssetClient c = client(signedMoves())) {
      AssetVersion v1 = upload(w, Optional.of(release));
      try (AssetWatch watch = c.watch("rnn_models", "prod",
          WatchOptions.defaults().pollInterval(Duration.ofMillis(50)).listener(listener))) {
        Files.writeString(model.resolve("model.h5"), "weights of the attacker");
        AssetVersion bad = upload(w, Optional.empty());
        AssetWatch.MoveFailure f = failures.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(bad.version(), f.target());
        assertEquals(AssetWatch.Reason.BAD_VERSION, f.reason());
        assertTrue(f.cause() instanceof UntrustedException, f.cause().toString());
        assertEquals(v1.version(), watch.current().version(), "the signed version keeps serving");
        Files.writeString(model.resolve("model.h5"), "weights v2");
        AssetVersion v2 = upload(w, Optional.of(release));
        assertEquals(v2.version(), moves.poll(10, java.util.concurrent.TimeUnit.SECONDS).version());
      }
    }
  }

  @Test
  void anAliasMovedByAnUntrustedWriterIsRefused() throws IOException {
    try (AssetClient w = writer(); AssetClient c = client(signedMoves())) {
      AssetVersion v1 = upload(w, Optional.of(release));
      w.setAlias("rnn_models", "prod", v1, AliasExpectation.any(), intruder);
      String m = refusedDownload(c).getMessage();
      assertTrue(m.contains("signed by the key " + intruder.keyId()) && m.contains("does not accept"), m);
    }
  }

  @Test
  void aSignedEntryAlteredAfterSigningIsRefused() throws IOException {
    try (AssetClient w = writer(); AssetClient c = client(signedMoves())) {
      upload(w, Optional.of(release));
      Files.writeString(model.resolve("model.h5"), "weights of the attacker");
      AssetVersion bad = w.newAsset("rnn_models").add(model.resolve("model.h5")).upload();
      String key = StoreLayout.aliasEntry("rnn_models", "prod", 1);
      ObjectNode entry = (ObjectNode) Manifests.JSON.readTree(storage.open(key));
      entry.put("version", bad.version().toString());
      replace(key, Manifests.canonical(entry));
      assertTrue(refusedDownload(c).getMessage().contains("does not verify"));
    }
  }

  @Test
  void aRollbackByDeletingSignedEntriesIsRefusedByARunningClient() throws IOException {
    try (AssetClient w = writer(); AssetClient c = client(signedMoves())) {
      upload(w, Optional.of(release));
      Files.writeString(model.resolve("model.h5"), "weights v2");
      upload(w, Optional.of(release));
      c.load("rnn_models", "prod").close();
      storage.delete(StoreLayout.aliasEntry("rnn_models", "prod", 2));
      storage.delete(StoreLayout.aliasHead("rnn_models", "prod"));
      String m = refusedDownload(c).getMessage();
      assertTrue(m.contains("saw its signed entry 2 before"), m);
    }
  }

  @Test
  void aSignedRemovalIsARemovalUnderAPolicyRequiringSignedMovesAndCannotBeUndoneByDeletingIt() throws IOException {
    try (AssetClient w = writer(); AssetClient c = client(signedMoves())) {
      AssetVersion v1 = upload(w, Optional.of(release));
      AliasUpdate removal = w.removeAlias("rnn_models", "prod", AliasExpectation.any(), release);
      assertEquals(AliasUpdate.Result.REMOVED, removal.result());
      assertEquals(release.keyId(), removal.head().orElseThrow().signature().orElseThrow().keyId());
      AliasRemovedException e = assertThrows(AliasRemovedException.class, () -> c.load("rnn_models", "prod"));
      assertEquals("alice", e.removal().by());
      assertTrue(e.getMessage().contains("was removed by alice"), e.getMessage());
      assertTrue(w.verifySignatures(signedMoves()).ok(), w.verifySignatures(signedMoves()).problems().toString());
      // Deleting the signed removal would bring the signed move before it back.
      storage.delete(StoreLayout.aliasEntry("rnn_models", "prod", 2));
      storage.delete(StoreLayout.aliasHead("rnn_models", "prod"));
      assertTrue(refusedDownload(c).getMessage().contains("saw its signed entry 2 before"));
      assertEquals(v1.version(), w.alias("rnn_models", "prod").orElseThrow().version());
    }
  }

  @Test
  void anUnsignedRemovalIsRefusedAsUntrustedSayingWhoRemovedItUntilAReleaseKeySignsTheRemoval() throws IOException {
    try (AssetClient w = writer(); AssetClient c = client(signedMoves())) {
      AssetVersion v1 = upload(w, Optional.of(release));
      assertEquals(AliasUpdate.Result.REMOVED, w.removeAlias("rnn_models", "prod").result());
      String m = assertThrows(UntrustedException.class, () -> c.load("rnn_models", "prod")).getMessage();
      assertTrue(m.contains("was removed by alice at ") && m.contains("entry 2") && m.contains(v1.version().toString())
          && m.contains("carries no signature"), m);
      assertTrue(m.contains("ama alias rm rnn_models prod --sign release.key.pem")
          && m.contains("ama alias set rnn_models prod " + v1.version() + " --sign release.key.pem"), m);
      assertTrue(refusedDownload(c).getMessage().contains("was removed by alice"));
      SignatureReport audit = w.verifySignatures(signedMoves());
      assertEquals(1, audit.problems().size(), audit.problems().toString());
      assertTrue(audit.problems().get(0).contains("was removed by alice"), audit.problems().toString());
      // A holder of the release key confirms the removal: a signed removal over the unsigned one.
      AliasUpdate signed = w.removeAlias("rnn_models", "prod", AliasExpectation.any(), release);
      assertEquals(AliasUpdate.Result.REMOVED, signed.result());
      assertEquals(Optional.of(v1.version()), signed.head().orElseThrow().previous(), "names the version last held");
      assertThrows(AliasRemovedException.class, () -> c.load("rnn_models", "prod"));
      assertTrue(w.verifySignatures(signedMoves()).ok());
      assertEquals(AliasUpdate.Result.ALREADY_THERE,
          w.removeAlias("rnn_models", "prod", AliasExpectation.any(), release).result(), "signed by that key already");
    }
  }

  @Test
  void aWatchReportsAnUnsignedRemovalAsUntrustedAndASignedOneAsARemoval() throws Exception {
    java.util.concurrent.BlockingQueue<AmaException> failures = new java.util.concurrent.LinkedBlockingQueue<>();
    AssetWatch.Listener listener = new AssetWatch.Listener() {
      @Override
      public void resolutionFailed(AmaException cause) {
        failures.add(cause);
      }
    };
    try (AssetClient w = writer(); AssetClient c = client(signedMoves())) {
      AssetVersion v1 = upload(w, Optional.of(release));
      try (AssetWatch watch = c.watch("rnn_models", "prod",
          WatchOptions.defaults().pollInterval(Duration.ofMillis(50)).listener(listener))) {
        w.removeAlias("rnn_models", "prod");
        AmaException unsigned = failures.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(unsigned instanceof UntrustedException && unsigned.getMessage().contains("was removed by alice"),
            String.valueOf(unsigned));
        assertEquals(v1.version(), watch.current().version(), "the signed version keeps serving");
        w.removeAlias("rnn_models", "prod", AliasExpectation.any(), release);
        AmaException signed;
        do {
          signed = failures.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        } while (signed instanceof UntrustedException);
        assertTrue(signed instanceof AliasRemovedException, String.valueOf(signed));
      }
    }
  }

  @Test
  void aPolicyFolderOfPublicKeysRequiresSignedVersionsAndAPolicyFileAddsRules() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("trust"));
    Files.write(dir.resolve("release.pub.pem"), release.publicKey().pem());
    TrustPolicy folder = TrustPolicy.read(dir);
    assertEquals(List.of(release.publicKey()), folder.keys());
    assertTrue(folder.rules().get(0).signedVersions());
    Files.writeString(dir.resolve("policy.yaml"), "rules:\n  - types: rnn_*\n    aliases: prod\n    moves: signed\n    keys: [release]\n");
    TrustPolicy file = TrustPolicy.read(dir);
    assertTrue(file.rules().get(0).signedMoves());
    assertFalse(file.rules().get(0).signedVersions());
    Files.writeString(dir.resolve("policy.yaml"), "rules:\n  - types: rnn_*\n    verions: signed\n");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> TrustPolicy.read(dir));
    assertTrue(e.getMessage().contains("unknown field 'verions'"), e.getMessage());
    InvalidInputException keyless = assertThrows(InvalidInputException.class,
        () -> TrustPolicy.builder().rule(TrustPolicy.Rule.signedVersions("*", "*")).build());
    assertTrue(keyless.getMessage().contains("has no key"), keyless.getMessage());
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertTrue(assertThrows(InvalidInputException.class, () -> TrustPolicy.read(empty)).getMessage().contains("trust nobody"));
  }

  @Test
  void keysRoundTripThroughPemFiles() throws IOException {
    Path priv = release.write(tmp.resolve("keys"));
    SigningKey read = SigningKey.read(priv);
    assertEquals(release.keyId(), read.keyId());
    assertEquals("release", read.name());
    assertEquals(release.keyId(), TrustedKey.read(tmp.resolve("keys/release.pub.pem")).keyId());
    assertThrows(InvalidInputException.class, () -> release.write(tmp.resolve("keys")), "never replaces a key");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> SigningKey.read(tmp.resolve("keys/release.pub.pem")));
    assertTrue(e.getMessage().contains("it is a public key"), e.getMessage());
  }

  @Test
  void gcKeepsSignaturesWithTheirVersionAndCollectsThemWithItAndVerifyDoesNotFlagThem() throws IOException {
    try (AssetClient w = writer()) {
      AssetVersion kept = upload(w, Optional.of(release));
      AssetVersion doomed = w.newAsset("rnn_models").add(model.resolve("model.yml")).sign(release).upload();
      VerifyReport report = w.verify(VerifyOptions.DEFAULTS);
      assertTrue(report.problems().isEmpty(), report.problems().toString());
      assertTrue(report.leftovers().unrecognized().isEmpty(), report.leftovers().unrecognized().toString());
      aging.ageAll(Duration.ofHours(48));
      GcReport gc = w.gc(GcOptions.dryRun().deleting());
      assertEquals(List.of(doomed.version()), gc.collectedVersions());
      assertTrue(storage.stat(signatureKey(kept, release)).isPresent(), "kept with its version");
      assertFalse(storage.stat(signatureKey(doomed, release)).isPresent(), "collected with its version");
      assertTrue(w.verifySignatures(signedVersions()).ok(), w.verifySignatures(signedVersions()).problems().toString());
    }
  }

  @Test
  void verifySignaturesReportsWhatAClientWithThePolicyWouldRefuse() {
    try (AssetClient w = writer()) {
      AssetVersion v = upload(w, Optional.empty());
      SignatureReport r = w.verifySignatures(signedVersions());
      assertFalse(r.ok());
      assertTrue(r.problems().stream().allMatch(p -> p.contains(v.version().toString())), r.problems().toString());
      w.sign(v, release);
      assertTrue(w.verifySignatures(signedVersions()).ok());
    }
  }
}
