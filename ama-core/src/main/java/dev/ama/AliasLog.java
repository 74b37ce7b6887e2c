package dev.ama;

import dev.ama.spi.Content;
import dev.ama.spi.PutOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alias logs of a store: each alias is an append-only, dense sequence of entries, the highest
 * being where the alias points now. Reads probe positions without listing, so read-only mirrors
 * can resolve aliases; moves append with a create-only put, so racing moves are serialized and
 * none is lost.
 */
final class AliasLog {
  private static final Logger LOG = LoggerFactory.getLogger(AliasLog.class);
  static final int MAX_MOVE_ATTEMPTS = 64;

  private final Store store;
  private final StoreIndex index;
  private final Clock clock;

  AliasLog(Store store, StoreIndex index, Clock clock) {
    this.store = store;
    this.index = index;
    this.clock = clock;
  }

  /**
   * What became of a move or removal, as a value a caller tests rather than an exception it
   * catches (JGit's {@code RefUpdate.Result} works the same way).
   *
   * @param result what happened
   * @param head the alias's head afterwards: the appended entry when {@link Result#MOVED}, the
   *     head that decided the outcome when {@link Result#ALREADY_THERE} or {@link
   *     Result#EXPECTATION_MISMATCH} (empty if the alias was never set), empty on a lock failure
   * @param attempts how many positions were tried
   */
  record Move(Result result, Optional<AliasEntry> head, int attempts) {
    enum Result {
      /** A new entry was appended: the alias points at the version now, or at nothing after a removal. */
      MOVED,
      /** The alias already pointed where asked (or at nothing, for a removal); nothing was appended. */
      ALREADY_THERE,
      /** The alias did not point where the caller expected; nothing was appended. */
      EXPECTATION_MISMATCH,
      /** Other writers took every position tried; nothing was appended. */
      LOCK_FAILURE
    }

    /** The alias's head after a move that must have happened, or the error a caller reports. */
    AliasEntry orThrow(String type, String alias, Digest version, String location) {
      if (result == Result.LOCK_FAILURE) {
        throw new StoreException("could not move alias " + type + "/" + alias + " in " + location + " after "
            + attempts + " attempts: other writers kept moving it first. The version " + version
            + " is stored; retry the upload to point the alias at it");
      }
      return head.orElseThrow();
    }
  }

  /**
   * The current entry of an alias: the highest position of its log. The HEAD hint, when present,
   * says where to start; positions are probed forward from it, galloping then bisecting, because
   * the log is dense (entry N+1 is only ever written after N exists).
   */
  Optional<AliasEntry> head(String type, String alias) {
    long hinted = headHint(type, alias);
    long known = 0;
    // The hinted entry is read rather than checked: it is usually the head, so its read is the one
    // a stat would have been followed by (HEAD, entry, one probe past it: three requests, not four).
    Optional<AliasEntry> read = Optional.empty();
    if (hinted > 0) {
      try {
        read = readIfExists(type, alias, hinted);
        known = read.isPresent() ? hinted : 0;
      } catch (IntegrityException e) {
        // It exists but is damaged: reported below if it is the head, as when it is read there.
        known = hinted;
      }
    }
    long step = 1;
    long missing;
    while (true) {
      long probe = known + step;
      if (entryExists(type, alias, probe)) {
        known = probe;
        step *= 2;
      } else {
        missing = probe;
        break;
      }
    }
    while (missing - known > 1) {
      long mid = known + (missing - known) / 2;
      if (entryExists(type, alias, mid)) {
        known = mid;
      } else {
        missing = mid;
      }
    }
    if (known == 0) {
      return Optional.empty();
    }
    long head = known;
    return Optional.of(read.filter(e -> e.seq() == head).orElseGet(() -> entry(type, alias, head)));
  }

  private long headHint(String type, String alias) {
    Optional<byte[]> hint;
    try {
      hint = store.readIfExists(StoreLayout.aliasHead(type, alias), Store.MAX_SMALL_OBJECT_BYTES, "alias hint");
    } catch (IntegrityException | StoreException e) {
      // Too large, a link or FIFO, or a read that broke (racing writers overwrite the hint, so a
      // resumed read of it can find other bytes): the hint only saves probes, which still find
      // the head, and the next move replaces it. A store that is really unreachable fails those.
      LOG.warn("ignoring the alias hint of {}/{}: {}", type, alias, e.getMessage());
      return 0;
    }
    if (hint.isEmpty()) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(new String(hint.get(), StandardCharsets.US_ASCII).trim()));
    } catch (NumberFormatException e) {
      LOG.debug("ignoring unreadable alias hint for {}/{}", type, alias);
      return 0;
    }
  }

  private boolean entryExists(String type, String alias, long seq) {
    return store.stat(StoreLayout.aliasEntry(type, alias, seq)).isPresent();
  }

  /** Entry {@code seq} of an alias's log, checked to describe that position. */
  AliasEntry entry(String type, String alias, long seq) {
    return readIfExists(type, alias, seq).orElseThrow(() -> new NotFoundException(
        "alias " + type + "/" + alias + " has no history entry " + seq + " in " + store.location()));
  }

  private Optional<AliasEntry> readIfExists(String type, String alias, long seq) {
    String key = StoreLayout.aliasEntry(type, alias, seq);
    Optional<byte[]> stored = store.readIfExists(key, Store.MAX_SMALL_OBJECT_BYTES, "alias log entry");
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    byte[] bytes = stored.get();
    AliasEntry e = Manifests.readAliasEntry(bytes, key, store.location());
    if (!e.type().equals(type) || !e.alias().equals(alias) || e.seq() != seq) {
      throw new IntegrityException("alias log entry " + key + " in " + store.location() + " describes "
          + e.type() + "/" + e.alias() + " entry " + e.seq() + "; the log was tampered with");
    }
    return Optional.of(e);
  }

  /** Every entry of an alias's log, oldest first; empty if the alias was never set. */
  List<AliasEntry> history(String type, String alias) {
    long last = head(type, alias).map(AliasEntry::seq).orElse(0L);
    List<AliasEntry> out = new ArrayList<>();
    for (long seq = 1; seq <= last; seq++) {
      out.add(entry(type, alias, seq));
    }
    return out;
  }

  /**
   * Appends "alias now points at version" to the alias's log, whatever it pointed at before (an
   * upload's move). Pointing it at the version it already points at appends nothing.
   */
  Move move(String type, String alias, Digest version, String by) {
    return move(type, alias, version, by, Optional.empty());
  }

  /** An upload's move, signed by {@code signer} when given; see {@link #move(String, String, Digest, String)}. */
  Move move(String type, String alias, Digest version, String by, Optional<SigningKey> signer) {
    return update(type, alias, Optional.of(version), AliasExpectation.any(), by, signer, Optional.empty());
  }

  /**
   * An upload's move from the head it read before it uploaded: tried first without reading the
   * head again, which is safe because the next position is created only if nobody took it since.
   */
  Move move(String type, String alias, Digest version, String by, Optional<SigningKey> signer, Optional<AliasEntry> known) {
    return update(type, alias, Optional.of(version), AliasExpectation.any(), by, signer, known);
  }

  /**
   * Appends a move to {@code target}, or a removal when it is empty, if the alias's head matches
   * {@code expected}. The writer that creates the next position wins; a loser re-reads the head,
   * checks the expectation against it again and only then tries the position after it, so of
   * writers racing from the same head with the same expectation exactly one moves the alias.
   * When the alias already points at {@code target} (or at nothing, for a removal) nothing is
   * appended, whatever the expectation: a retried promotion is then a harmless no-op.
   */
  Move update(String type, String alias, Optional<Digest> target, AliasExpectation expected, String by) {
    return update(type, alias, target, expected, by, Optional.empty());
  }

  /**
   * A conditional move or removal, as {@link #update(String, String, Optional, AliasExpectation,
   * String)}, whose entry carries {@code signer}'s signature when given: signed anew for each
   * position tried, since the position is among the signed fields.
   */
  Move update(String type, String alias, Optional<Digest> target, AliasExpectation expected, String by,
      Optional<SigningKey> signer) {
    return update(type, alias, target, expected, by, signer, Optional.empty());
  }

  private Move update(String type, String alias, Optional<Digest> target, AliasExpectation expected, String by,
      Optional<SigningKey> signer, Optional<AliasEntry> known) {
    // A write, though it reads the head first: a new store gets its marker, a newer format is refused.
    store.checkWritable();
    boolean marked = false;
    for (int attempt = 1; attempt <= MAX_MOVE_ATTEMPTS; attempt++) {
      Optional<AliasEntry> head = attempt == 1 && known.isPresent() ? known : head(type, alias);
      Optional<Digest> current = head.flatMap(AliasEntry::target);
      // A signed move to where the alias points already (or a signed removal of a removed alias) is
      // appended if the head lacks that key's signature: it is how an unsigned head gets signed.
      boolean signs = signer.isPresent() && !head.flatMap(AliasEntry::signature)
          .filter(sig -> sig.keyId().equals(signer.get().keyId())).isPresent();
      if (current.equals(target) && !signs) {
        return new Move(Move.Result.ALREADY_THERE, head, attempt);
      }
      if (!expected.matches(current)) {
        return new Move(Move.Result.EXPECTATION_MISMATCH, head, attempt);
      }
      if (!marked && target.isPresent()) {
        // Index markers go first, as everywhere: a marker may name a move that then fails, which
        // readers filter out by checking the alias's head; a move is never missing its marker.
        // An alias with a head has its alias marker: it was written before the first entry.
        index.markAlias(type, alias, target.get(), head.isPresent());
        marked = true;
      }
      long seq = head.map(AliasEntry::seq).orElse(0L) + 1;
      Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
      AliasEntry entry = target.isPresent()
          ? new AliasEntry(type, alias, seq, target, current, by, at)
          // A removal signed over a removal names the version that one removed: the last the alias held.
          : AliasEntry.removal(type, alias, seq, current.or(() -> head.flatMap(AliasEntry::previous)).orElseThrow(), by, at);
      if (signer.isPresent()) {
        entry = entry.withSignature(Optional.of(AliasSignature.of(signer.get(), entry)));
      }
      String key = StoreLayout.aliasEntry(type, alias, seq);
      byte[] bytes = Manifests.writeAliasEntry(entry);
      // A backend that retried a create whose response was lost finds the entry this writer made;
      // that is a win, not a lost race, or the same move would be appended twice.
      if (store.putIfAbsent(key, Content.ofBytes(bytes)) == PutOutcome.CREATED
          || store.readIfExists(key, Store.MAX_SMALL_OBJECT_BYTES, "alias log entry").filter(stored -> Arrays.equals(stored, bytes)).isPresent()) {
        writeHint(type, alias, seq);
        return new Move(Move.Result.MOVED, Optional.of(entry), attempt);
      }
      LOG.debug("lost the race for {}/{} entry {}; retrying", type, alias, seq);
      sleep(Duration.ofMillis(ThreadLocalRandom.current().nextLong(1, 5L * Math.min(attempt, 20))));
    }
    return new Move(Move.Result.LOCK_FAILURE, Optional.empty(), MAX_MOVE_ATTEMPTS);
  }

  private void writeHint(String type, String alias, long seq) {
    try {
      store.put(StoreLayout.aliasHead(type, alias), Content.ofBytes(Long.toString(seq).getBytes(StandardCharsets.US_ASCII)));
    } catch (RuntimeException e) {
      // The hint only saves probes; readers never trust it alone, so a failed write is harmless.
      LOG.debug("could not update alias hint for {}/{}: {}", type, alias, e.toString());
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while moving an alias", e);
    }
  }

  /**
   * The aliases of a type that point at a version now, sorted: the alias-target index names the
   * candidates, and each candidate's head decides.
   */
  List<String> pointingAt(String type, Digest version) {
    List<String> out = new ArrayList<>();
    for (StoreIndex.TypeAlias ta : index.aliasTargets(version)) {
      if (ta.type().equals(type) && head(ta.type(), ta.alias()).flatMap(AliasEntry::target).filter(version::equals).isPresent()) {
        out.add(ta.alias());
      }
    }
    out.sort(null);
    return out;
  }
}
