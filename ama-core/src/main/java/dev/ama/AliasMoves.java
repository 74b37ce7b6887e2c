package dev.ama;

import java.util.Optional;

/**
 * Moves and removes aliases without uploading anything: promotion ({@code staging}'s version
 * becomes {@code prod}'s), rollback ({@code prod@1}), removal. A move keeps the version it points
 * at, so its refs, labels and id stay as they are; each one is an ordinary entry of the alias's
 * log, so its history shows it.
 */
final class AliasMoves {
  private final Store store;
  private final AliasLog log;
  private final Queries queries;
  private final Leases leases;
  private final String user;

  AliasMoves(Store store, AliasLog log, Queries queries, Leases leases, String user) {
    this.store = store;
    this.log = log;
    this.queries = queries;
    this.leases = leases;
    this.user = user;
  }

  /** Points an alias at a version of its type, if its head meets the expectation. */
  AliasUpdate set(String type, String alias, AssetVersion version, AliasExpectation expected) {
    return set(type, alias, version, expected, Optional.empty());
  }

  /** Points an alias at a version, as {@link #set(String, String, AssetVersion, AliasExpectation)}, the entry signed by {@code signer}. */
  AliasUpdate set(String type, String alias, AssetVersion version, AliasExpectation expected, Optional<SigningKey> signer) {
    if (!version.type().equals(type)) {
      throw new InvalidInputException("cannot point alias " + type + "/" + alias + " at version " + version.version()
          + ": it is of type '" + version.type() + "'. Choose a version of type '" + type + "'");
    }
    // The target may be an old version nothing keeps (a rollback), which a gc may be deleting:
    // lease it first and only then check that it is stored, as an upload does with what it reuses
    // (docs/gc.md, "the reuse race"). A leased manifest keeps everything it lists and refs.
    try (Leases.Lease lease = leases.acquire("this alias move", java.util.List.of(version.version()), java.util.List.of())) {
      // A version object from another store would leave the alias naming a missing manifest.
      queries.requireStored(version);
      AliasLog.Move move = log.update(type, alias, Optional.of(version.version()), expected, user, signer);
      return outcome(type, alias, move, expected, AliasUpdate.Result.MOVED, version.version().toString());
    }
  }

  /** Appends a removal to an alias's log, if its head meets the expectation. */
  AliasUpdate remove(String type, String alias, AliasExpectation expected) {
    return remove(type, alias, expected, Optional.empty());
  }

  /** Appends a removal, as {@link #remove(String, String, AliasExpectation)}, the entry signed by {@code signer}. */
  AliasUpdate remove(String type, String alias, AliasExpectation expected, Optional<SigningKey> signer) {
    // Read first, so that a location without a store is reported, not made a store by the write.
    // Never set is most likely a typo, which must not pass for a successful removal; a log never
    // shrinks, so the alias cannot become never-set before the update.
    if (queries.head(type, alias).isEmpty()) {
      throw queries.notFound(type, alias);
    }
    AliasLog.Move move = log.update(type, alias, Optional.empty(), expected, user, signer);
    return outcome(type, alias, move, expected, AliasUpdate.Result.REMOVED, "nothing (a removal)");
  }

  private AliasUpdate outcome(String type, String alias, AliasLog.Move move, AliasExpectation expected,
      AliasUpdate.Result changed, String wanted) {
    AliasUpdate.Result result = switch (move.result()) {
      case MOVED -> changed;
      case ALREADY_THERE -> AliasUpdate.Result.ALREADY_THERE;
      case EXPECTATION_MISMATCH -> AliasUpdate.Result.EXPECTATION_MISMATCH;
      case LOCK_FAILURE -> throw new StoreException("could not point alias " + type + "/" + alias + " at " + wanted
          + " in " + store.location() + " after " + move.attempts() + " attempts: other writers kept moving it"
          + " first. Nothing was written; retry, or give an expected version so that a lost race is reported");
    };
    return new AliasUpdate(result, type, alias, move.head(), expected);
  }
}
