package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.spi.ForwardingStorage;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.storage.InMemoryStorage;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A move of an alias is an outcome a caller can test, not only an exception. */
class AliasLogTest {
  private static final Digest V1 = Digest.sha256(new byte[] {1});
  private static final Digest V2 = Digest.sha256(new byte[] {2});
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00.123Z"), ZoneOffset.UTC);

  private final Tasks tasks = new Tasks(TransferSettings.DEFAULTS);

  @AfterEach
  void tearDown() {
    tasks.close();
  }

  private AliasLog log(Storage storage) {
    Store store = new Store(storage);
    return new AliasLog(store, new StoreIndex(store, tasks), CLOCK);
  }

  @Test
  void movesAppendEntriesThatChainToThePreviousVersion() {
    AliasLog log = log(new InMemoryStorage());
    AliasLog.Move first = log.move("rnn_models", "prod", V1, "alice");
    assertEquals(AliasLog.Move.Result.MOVED, first.result());
    assertEquals(1, first.attempts());
    assertEquals(new AliasEntry("rnn_models", "prod", 1, V1, Optional.empty(), "alice", CLOCK.instant()),
        first.head().orElseThrow());

    AliasLog.Move second = log.move("rnn_models", "prod", V2, "bob");
    assertEquals(new AliasEntry("rnn_models", "prod", 2, V2, Optional.of(V1), "bob", CLOCK.instant()),
        second.head().orElseThrow());
    assertEquals(second.head(), log.head("rnn_models", "prod"));
    assertEquals(2, log.history("rnn_models", "prod").size());
    assertEquals(java.util.List.of("prod"), log.pointingAt("rnn_models", V2));
    assertEquals(java.util.List.of(), log.pointingAt("rnn_models", V1), "prod moved away from V1");
  }

  @Test
  void aHintThatCannotBeReadOnlyCostsProbes() {
    InMemoryStorage storage = new InMemoryStorage();
    log(storage).move("rnn_models", "prod", V1, "alice");
    // Found by the S3 fault trials: a read of HEAD broke while racing writers replaced it.
    Storage brokenHint = new ForwardingStorage(storage) {
      @Override
      public java.io.InputStream open(String key) throws IOException {
        if (key.endsWith("/HEAD")) {
          throw new IOException("connection reset while reading " + key);
        }
        return super.open(key);
      }
    };
    AliasLog.Move move = log(brokenHint).move("rnn_models", "prod", V2, "bob");
    assertEquals(AliasLog.Move.Result.MOVED, move.result());
    assertEquals(2, move.head().orElseThrow().seq());
    assertEquals(move.head(), log(brokenHint).head("rnn_models", "prod"));
  }

  @Test
  void aMoveThatNeverWinsAPositionIsALockFailureAndAppendsNothing() {
    InMemoryStorage storage = new InMemoryStorage();
    // Every position is taken by someone else by the time this writer tries it.
    Storage contended = new ForwardingStorage(storage) {
      @Override
      public PutOutcome putIfAbsent(String key, Content content) throws IOException {
        return key.startsWith("aliases/") ? PutOutcome.ALREADY_EXISTS : super.putIfAbsent(key, content);
      }
    };
    AliasLog.Move move = log(contended).move("rnn_models", "prod", V1, "alice");
    assertEquals(AliasLog.Move.Result.LOCK_FAILURE, move.result());
    assertEquals(Optional.empty(), move.head());
    assertEquals(AliasLog.MAX_MOVE_ATTEMPTS, move.attempts());
    assertEquals(Optional.empty(), log(storage).head("rnn_models", "prod"));

    StoreException e = assertThrows(StoreException.class, () -> move.orThrow("rnn_models", "prod", V1, "mem:x"));
    assertTrue(e.getMessage().startsWith("could not move alias rnn_models/prod in mem:x after 64 attempts"), e.getMessage());
    assertTrue(e.getMessage().endsWith("retry the upload to point the alias at it"), e.getMessage());
  }
}
