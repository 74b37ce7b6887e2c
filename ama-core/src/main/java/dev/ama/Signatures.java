package dev.ama;

import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.PutOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Versions' signatures in a store: one DSSE envelope per version and key under {@code
 * signatures/}, written create-only, so a signature once made is never replaced and several keys
 * can sign one version without coordinating. Checking a signature against a version lives here
 * too, for the trust checks on load and for {@code verify --signatures}.
 */
final class Signatures {
  private final Store store;

  Signatures(Store store) {
    this.store = store;
  }

  /**
   * Signs a version with a key, if that key has not signed it yet. Ed25519 is deterministic, so
   * the same key signing again would write the same bytes: an existing signature by the key is
   * kept, after checking it is one.
   *
   * @return whether a new signature was written
   * @throws IntegrityException if the key's signature object exists but is not its valid signature
   */
  boolean sign(AssetVersion v, SigningKey key) {
    byte[] envelope = Dsse.sign(Dsse.IN_TOTO, VersionStatement.of(v), key);
    String objectKey = StoreLayout.signature(v.version(), key.keyId());
    if (store.putIfAbsent(objectKey, Content.ofBytes(envelope)) == PutOutcome.CREATED) {
      return true;
    }
    Optional<String> problem = problem(v, key.publicKey());
    if (problem.isPresent()) {
      throw new IntegrityException("the signature object " + objectKey + " in " + store.location() + " for version "
          + v.version() + " by key " + key.name() + " exists but " + problem.get() + ". Nothing was replaced, since"
          + " signatures are create-only; remove that object and sign again");
    }
    return false;
  }

  /** A key's signature of a version, read and parsed, if the store has one. */
  Optional<Dsse.Envelope> read(Digest version, String keyId) {
    String key = StoreLayout.signature(version, keyId);
    return store.readIfExists(key, Store.MAX_SMALL_OBJECT_BYTES * 16, "signature")
        .map(bytes -> Dsse.read(bytes, "signature " + key + " in " + store.location()));
  }

  /** The ids of the keys that signed a version, by listing; empty when the store cannot list (a mirror). */
  List<String> keyIds(Digest version) {
    List<String> out = new ArrayList<>();
    if (!store.canList()) {
      return out;
    }
    String prefix = StoreLayout.signaturesOf(version);
    try (Stream<ObjectInfo> s = store.list(prefix)) {
      s.map(o -> o.key().substring(prefix.length()))
          .filter(name -> name.endsWith(".json") && name.indexOf('/') < 0)
          .forEach(name -> out.add(name.substring(0, name.length() - ".json".length())));
    }
    return out;
  }

  /**
   * Why a key's signature does not vouch for a version, or empty if it does: no signature, one
   * whose Ed25519 signature fails over the envelope (tampered, or by another key), or a valid one
   * whose statement names other files or another version.
   */
  Optional<String> problem(AssetVersion v, TrustedKey key) {
    Optional<Dsse.Envelope> env;
    try {
      env = read(v.version(), key.keyId());
    } catch (IntegrityException e) {
      return Optional.of("is damaged (" + e.getMessage() + ")");
    }
    if (env.isEmpty()) {
      return Optional.of("has no signature by " + key.name());
    }
    return problem(env.get(), v, key);
  }

  /** Why an envelope does not vouch for a version by a key, or empty if it does. */
  static Optional<String> problem(Dsse.Envelope env, AssetVersion v, TrustedKey key) {
    if (!Dsse.IN_TOTO.equals(env.payloadType())) {
      return Optional.of("has a signature by " + key.name() + " of payload type " + env.payloadType() + ", not " + Dsse.IN_TOTO);
    }
    if (!env.signedBy(key)) {
      return Optional.of("has a signature named for " + key.name() + " that does not verify with its public key (the"
          + " statement or the signature was altered, or another key made it)");
    }
    return VersionStatement.mismatch(env.payload(), v).map(m -> "has a valid signature by " + key.name() + ", but " + m);
  }
}
