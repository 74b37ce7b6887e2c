package dev.ama.storage.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.AliasEntry;
import dev.ama.AliasExpectation;
import dev.ama.AliasRemovedException;
import dev.ama.AliasUpdate;
import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.Digest;
import dev.ama.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Promotion, rollback and removal of aliases ({@link AssetClient#setAlias}, {@link
 * AssetClient#removeAlias}) through AMA's client on the backend under test. They rest on the
 * backend's create-only put and on reading an alias's log without listing, so a backend that
 * passes {@link StorageContract} should pass this too; this suite shows it end to end, racing
 * promoters included. A binding extends it in one small class, as for {@link StorageContract}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
public abstract class AliasUpdateContract {
  private static final String TYPE = "rnn_models";
  private static final int PROMOTERS = 8;
  private static final int ROUNDS = 6;
  private static final Instant REMOVED_AT = Instant.parse("2026-12-01T12:00:00.250Z");

  @TempDir Path tmp;

  private StorageFixture fixture;
  private AssetClient alice;

  /**
   * Opens the fixture for one test, as {@link StorageContract#createFixture} does: a fresh, empty
   * storage of the backend under test on a prefix no other test uses.
   */
  protected abstract StorageFixture createFixture(String testId) throws Exception;

  @BeforeEach
  final void openFixture(TestInfo info) throws Exception {
    fixture = createFixture(StorageFixture.testId(info));
    if (fixture == null) {
      throw new IllegalStateException(getClass().getName() + ".createFixture returned null");
    }
    fixture.checkHandedOver(getClass().getName());
    alice = client("alice", Clock.systemUTC());
  }

  @AfterEach
  final void closeFixture() throws Exception {
    if (alice != null) {
      alice.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  // ---------------------------------------------------------------- promotion and rollback

  @Test
  void promotingPointsTheAliasAtTheVeryVersionKeepingItsRefsAndLabels() throws IOException {
    upload("training_params", "inputs", "lr: 0.001");
    AssetVersion staged = alice.newAsset(TYPE).add(file("model.yml", "layers: 3")).alias("staging")
        .ref("training_params", "inputs").label("stage", "candidate").upload();
    int versions = alice.versions(TYPE).size();

    AliasUpdate update = alice.setAlias(TYPE, "prod", "staging");

    assertEquals(AliasUpdate.Result.MOVED, update.result(), update.toString());
    AssetVersion prod = alice.version(TYPE, "prod");
    assertEquals(staged.version(), prod.version(), "the same version, not a re-upload");
    assertEquals(staged.refs(), prod.refs());
    assertEquals(Map.of("stage", "candidate"), prod.labels());
    assertEquals(versions, alice.versions(TYPE).size(), "no manifest was written");
    assertEquals(List.of("prod", "staging"), alice.aliasesOf(prod), "the alias-target index names the promotion");
    AliasEntry entry = update.head().orElseThrow();
    assertEquals(List.of(entry), alice.history(TYPE, "prod"));
    assertEquals("alice", entry.by());
    assertEquals(Optional.empty(), entry.previous());
  }

  @Test
  void rollingBackToAnEarlierEntryIsTheNextEntryOfTheSameLog() throws IOException {
    AssetVersion v1 = upload(TYPE, "prod", "v: 1");
    AssetVersion v2 = upload(TYPE, "prod", "v: 2");

    AliasUpdate rollback = alice.setAlias(TYPE, "prod", "prod@1");

    assertEquals(AliasUpdate.Result.MOVED, rollback.result());
    assertEquals(v1.version(), alice.version(TYPE, "prod").version());
    List<AliasEntry> history = alice.history(TYPE, "prod");
    assertEquals(List.of(v1.version(), v2.version(), v1.version()), targets(history));
    assertEquals(List.of(1L, 2L, 3L), history.stream().map(AliasEntry::seq).toList());
    assertEquals(Optional.of(v2.version()), history.get(2).previous());
  }

  @Test
  void settingTheVersionTheAliasAlreadyHoldsWritesNothingWhateverTheExpectation() throws IOException {
    AssetVersion v1 = upload(TYPE, "prod", "v: 1");
    AssetVersion v2 = upload(TYPE, null, "v: 2");

    AliasUpdate again = alice.setAlias(TYPE, "prod", v1.version().toString(), AliasExpectation.version(v2.version()));

    assertEquals(AliasUpdate.Result.ALREADY_THERE, again.result());
    assertFalse(again.changed());
    assertEquals(Optional.of(v1.version()), again.holds());
    assertEquals(1, alice.history(TYPE, "prod").size());
  }

  @Test
  void aMoveExpectingAnotherVersionThanTheAliasHoldsWritesNothing() throws IOException {
    AssetVersion v1 = upload(TYPE, "prod", "v: 1");
    AssetVersion v2 = upload(TYPE, "prod", "v: 2");
    AssetVersion v3 = upload(TYPE, null, "v: 3");

    AliasUpdate stale = alice.setAlias(TYPE, "prod", v3.version().toString(), AliasExpectation.version(v1.version()));

    assertEquals(AliasUpdate.Result.EXPECTATION_MISMATCH, stale.result());
    assertEquals(Optional.of(v2.version()), stale.holds(), "the version it actually holds");
    assertEquals(2, stale.head().orElseThrow().seq());
    assertEquals(List.of(v1.version(), v2.version()), targets(alice.history(TYPE, "prod")));
  }

  @Test
  void expectingUnsetMovesOnlyAnAliasThatPointsAtNothing() throws IOException {
    AssetVersion v1 = upload(TYPE, null, "v: 1");
    AssetVersion v2 = upload(TYPE, null, "v: 2");

    assertEquals(AliasUpdate.Result.MOVED, alice.setAlias(TYPE, "prod", v1, AliasExpectation.unset()).result());
    AliasUpdate taken = alice.setAlias(TYPE, "prod", v2, AliasExpectation.unset());
    assertEquals(AliasUpdate.Result.EXPECTATION_MISMATCH, taken.result());
    assertEquals(Optional.of(v1.version()), taken.holds());

    alice.removeAlias(TYPE, "prod");
    assertEquals(AliasUpdate.Result.MOVED, alice.setAlias(TYPE, "prod", v2, AliasExpectation.unset()).result(),
        "a removed alias points at nothing");
  }

  @Test
  void ofEightPromotersExpectingTheSameVersionExactlyOneWinsEachRound() throws Exception {
    List<AssetVersion> candidates = new ArrayList<>();
    for (int i = 0; i <= PROMOTERS; i++) {
      candidates.add(upload(TYPE, null, "candidate: " + i));
    }
    alice.setAlias(TYPE, "prod", candidates.get(0), AliasExpectation.unset());
    List<AssetClient> promoters = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(PROMOTERS);
    try {
      for (int p = 0; p < PROMOTERS; p++) {
        promoters.add(client("promoter-" + p, Clock.systemUTC()));
      }
      List<String> winners = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        Digest current = alice.alias(TYPE, "prod").orElseThrow().version();
        List<AssetVersion> others = candidates.stream().filter(c -> !c.version().equals(current)).toList();
        CyclicBarrier start = new CyclicBarrier(PROMOTERS);
        List<Callable<AliasUpdate>> moves = new ArrayList<>();
        for (int p = 0; p < PROMOTERS; p++) {
          AssetClient promoter = promoters.get(p);
          String selector = others.get(p).version().toString();
          moves.add(() -> {
            start.await(60, TimeUnit.SECONDS);
            return promoter.setAlias(TYPE, "prod", selector, AliasExpectation.version(current));
          });
        }
        List<AliasUpdate> outcomes = all(pool, moves);

        List<AliasUpdate> won = outcomes.stream().filter(AliasUpdate::changed).toList();
        assertEquals(1, won.size(), "round " + round + ": exactly one promoter wins: " + outcomes);
        Digest winner = won.get(0).holds().orElseThrow();
        for (AliasUpdate lost : outcomes) {
          if (lost != won.get(0)) {
            assertEquals(AliasUpdate.Result.EXPECTATION_MISMATCH, lost.result(), "round " + round + ": " + lost);
            assertEquals(Optional.of(winner), lost.holds(), "a loser is told what the alias holds now");
          }
        }
        winners.add(won.get(0).head().orElseThrow().by());
      }

      List<AliasEntry> history = alice.history(TYPE, "prod");
      assertEquals(1 + ROUNDS, history.size(), "one entry per round: " + history);
      for (int i = 0; i < history.size(); i++) {
        assertEquals(i + 1, history.get(i).seq(), "dense");
        if (i > 0) {
          assertEquals(history.get(i - 1).target(), history.get(i).previous(), "each entry chains to the one before");
          assertEquals(winners.get(i - 1), history.get(i).by());
        }
      }
    } finally {
      pool.shutdownNow();
      for (AssetClient c : promoters) {
        c.close();
      }
    }
  }

  // ---------------------------------------------------------------- removal

  @Test
  void aRemovedAliasIsNotFoundSayingWhoRemovedItAndWhenAndKeepsItsHistory() throws IOException {
    AssetVersion v1 = upload(TYPE, "prod", "v: 1");
    AssetVersion v2 = upload(TYPE, "prod", "v: 2");
    try (AssetClient bob = client("bob", Clock.fixed(REMOVED_AT, ZoneOffset.UTC))) {
      AliasUpdate removal = bob.removeAlias(TYPE, "prod", AliasExpectation.version(v2.version()));
      assertEquals(AliasUpdate.Result.REMOVED, removal.result());
      assertEquals(Optional.empty(), removal.holds());
    }

    AliasRemovedException e = assertThrows(AliasRemovedException.class, () -> alice.version(TYPE, "prod"));
    assertTrue(e.getMessage().contains("removed by bob at " + REMOVED_AT), e.getMessage());
    assertTrue(e.getMessage().contains("ama alias set " + TYPE + " prod"), "says how to set it again: " + e.getMessage());
    assertEquals(3, e.removal().seq());
    assertEquals(Optional.of(v2.version()), e.removal().previous(), "the removal names the version it removed");
    assertThrows(AliasRemovedException.class, () -> alice.load(TYPE, "prod"));
    assertThrows(AliasRemovedException.class, () -> alice.download(TYPE, "prod").to(tmp.resolve("out")));

    List<AliasEntry> history = alice.history(TYPE, "prod");
    assertEquals(3, history.size());
    assertTrue(history.get(2).removed());
    assertEquals(v1.version(), alice.version(TYPE, "prod@1").version(), "old entries still name their versions");
    assertThrows(NotFoundException.class, () -> alice.version(TYPE, "prod@3"), "the removal names no version");
    assertEquals(List.of(), alice.aliases(TYPE).stream().map(AliasEntry::alias).toList(), "not a live alias");
    assertEquals(List.of("prod"), alice.removedAliases(TYPE).stream().map(AliasEntry::alias).toList());
    assertEquals(List.of(), alice.aliasesOf(v2), "no alias points at the version it pointed at");
  }

  @Test
  void settingARemovedAliasAgainContinuesItsLog() throws IOException {
    AssetVersion v1 = upload(TYPE, "prod", "v: 1");
    alice.removeAlias(TYPE, "prod");

    AliasUpdate back = alice.setAlias(TYPE, "prod", "prod@1");

    assertEquals(AliasUpdate.Result.MOVED, back.result());
    AliasEntry entry = back.head().orElseThrow();
    assertEquals(3, entry.seq(), "the next entry of the same log");
    assertEquals(Optional.empty(), entry.previous(), "it pointed at nothing before");
    assertEquals(v1.version(), alice.version(TYPE, "prod").version());
    AssetVersion v2 = upload(TYPE, "prod", "v: 2");
    assertEquals(List.of(Optional.of(v1.version()), Optional.empty(), Optional.of(v1.version()), Optional.of(v2.version())),
        alice.history(TYPE, "prod").stream().map(AliasEntry::target).toList(), "an upload continues it too");
  }

  @Test
  void removingARemovedAliasWritesNothingAndRemovingOneNeverSetIsNotFound() throws IOException {
    upload(TYPE, "prod", "v: 1");
    assertEquals(AliasUpdate.Result.REMOVED, alice.removeAlias(TYPE, "prod").result());

    assertEquals(AliasUpdate.Result.ALREADY_THERE, alice.removeAlias(TYPE, "prod").result());
    assertEquals(2, alice.history(TYPE, "prod").size());
    NotFoundException e = assertThrows(NotFoundException.class, () -> alice.removeAlias(TYPE, "prdo"));
    assertEquals(List.of("prod"), e.nearNames(), e.getMessage());
  }

  @Test
  void ofRemoversAndSettersRacingFromTheSameVersionExactlyOneChangesTheAlias() throws Exception {
    AssetVersion base = upload(TYPE, "prod", "base");
    List<AssetVersion> targets = new ArrayList<>();
    for (int i = 0; i < PROMOTERS / 2; i++) {
      targets.add(upload(TYPE, null, "target: " + i));
    }
    List<AssetClient> racers = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(PROMOTERS);
    try {
      for (int p = 0; p < PROMOTERS; p++) {
        racers.add(client("racer-" + p, Clock.systemUTC()));
      }
      for (int round = 0; round < ROUNDS; round++) {
        CyclicBarrier start = new CyclicBarrier(PROMOTERS);
        List<Callable<AliasUpdate>> updates = new ArrayList<>();
        for (int p = 0; p < PROMOTERS; p++) {
          AssetClient racer = racers.get(p);
          AliasExpectation fromBase = AliasExpectation.version(base.version());
          AssetVersion target = targets.get(p / 2);
          boolean remover = p % 2 == 0;
          updates.add(() -> {
            start.await(60, TimeUnit.SECONDS);
            return remover ? racer.removeAlias(TYPE, "prod", fromBase) : racer.setAlias(TYPE, "prod", target, fromBase);
          });
        }
        List<AliasUpdate> outcomes = all(pool, updates);

        List<AliasUpdate> won = outcomes.stream().filter(AliasUpdate::changed).toList();
        assertEquals(1, won.size(), "round " + round + ": " + outcomes);
        boolean removed = won.get(0).result() == AliasUpdate.Result.REMOVED;
        for (int p = 0; p < PROMOTERS; p++) {
          AliasUpdate u = outcomes.get(p);
          if (u != won.get(0)) {
            // A remover that finds the alias removed already has what it asked for.
            AliasUpdate.Result expected = removed && p % 2 == 0
                ? AliasUpdate.Result.ALREADY_THERE : AliasUpdate.Result.EXPECTATION_MISMATCH;
            assertEquals(expected, u.result(), "round " + round + ", racer " + p + ": " + outcomes);
          }
        }
        AliasUpdate reset = alice.setAlias(TYPE, "prod", base,
            removed ? AliasExpectation.unset() : AliasExpectation.version(won.get(0).holds().orElseThrow()));
        assertEquals(AliasUpdate.Result.MOVED, reset.result());
      }
      List<AliasEntry> history = alice.history(TYPE, "prod");
      assertEquals(1 + 2 * ROUNDS, history.size(), "a winner and a reset per round: " + history);
      for (int i = 0; i < history.size(); i++) {
        assertEquals(i + 1, history.get(i).seq());
      }
    } finally {
      pool.shutdownNow();
      for (AssetClient c : racers) {
        c.close();
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private AssetClient client(String user, Clock clock) {
    return AssetClient.builder().storage(fixture.storage()).user(user).clock(clock).cache(tmp.resolve("cache-" + user))
        .build();
  }

  private AssetVersion upload(String type, String alias, String content) throws IOException {
    var upload = alice.newAsset(type).add(file("model.yml", content));
    if (alias != null) {
      upload.alias(alias);
    }
    return upload.upload();
  }

  private Path file(String name, String content) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("files").resolve(Integer.toHexString(content.hashCode())));
    return Files.writeString(dir.resolve(name), content);
  }

  private static List<Digest> targets(List<AliasEntry> history) {
    return history.stream().map(AliasEntry::version).collect(Collectors.toList());
  }

  /** Runs the calls at once and returns their outcomes in order, failing on the first error. */
  private static <T> List<T> all(ExecutorService pool, List<Callable<T>> calls) throws Exception {
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> c : calls) {
      futures.add(pool.submit(c));
    }
    List<T> out = new ArrayList<>();
    for (Future<T> f : futures) {
      out.add(f.get(120, TimeUnit.SECONDS));
    }
    return out;
  }
}
