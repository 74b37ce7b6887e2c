package dev.ama;

import dev.ama.spi.ObjectInfo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code verify --signatures}: the whole store against a trust policy, as a client with that
 * policy would see it, without loading anything. Every alias head (its move and its version, with
 * the alias's rules), every version (with the rules for any alias), and every signature object
 * (readable, named for the key that made it, of a version the store has, valid when the policy
 * knows its key).
 */
final class SignatureAudit {
  private final Store store;
  private final Signatures signatures;
  private final Queries queries;
  private final TrustPolicy policy;

  SignatureAudit(Store store, Signatures signatures, Queries queries, TrustPolicy policy) {
    this.store = store;
    this.signatures = signatures;
    this.queries = queries;
    this.policy = policy;
  }

  SignatureReport run() {
    store.checkReadable();
    if (!store.canList()) {
      throw new InvalidInputException("store " + store.location() + " cannot list objects, which verify --signatures"
          + " needs. Run it against the store itself rather than a mirror");
    }
    TrustGate gate = new TrustGate(policy, signatures, store.location());
    List<String> problems = new ArrayList<>();
    StoreWalk walk = new StoreWalk(store);
    int aliases = 0;
    for (StoreWalk.AliasLogKeys log : walk.aliasLogs(o -> { })) {
      Optional<AliasEntry> head;
      try {
        head = queries.head(log.type(), log.alias());
      } catch (AmaException e) {
        problems.add(e.getMessage());
        continue;
      }
      if (head.isEmpty()) {
        continue;
      }
      aliases++;
      try {
        gate.checkMove(head.get());
        if (!head.get().removed()) {
          gate.checkVersion(queries.manifest(head.get().version()), Optional.of(log.alias()));
        }
      } catch (AmaException e) {
        problems.add(e.getMessage());
      }
    }
    Set<Digest> versions = new LinkedHashSet<>();
    try (Stream<StoreWalk.Stored> s = walk.manifests(o -> { })) {
      s.forEach(m -> versions.add(m.id()));
    }
    for (Digest id : versions) {
      try {
        gate.checkVersion(queries.manifest(id), Optional.empty());
      } catch (AmaException e) {
        problems.add(e.getMessage());
      }
    }
    int objects = 0;
    try (Stream<ObjectInfo> s = store.list(StoreLayout.SIGNATURES)) {
      for (ObjectInfo o : (Iterable<ObjectInfo>) s::iterator) {
        objects++;
        checkObject(o.key(), versions).ifPresent(problems::add);
      }
    }
    return new SignatureReport(versions.size(), aliases, objects, problems);
  }

  /** What is wrong with one object under {@code signatures/}, if anything. */
  private Optional<String> checkObject(String key, Set<Digest> versions) {
    String[] p = key.substring(StoreLayout.SIGNATURES.length()).split("/", -1);
    Optional<Digest> version = Optional.empty();
    if (p.length == 4 && p[3].endsWith(".json")) {
      try {
        Digest d = Digest.parse(p[0] + ":" + p[2]);
        String keyId = p[3].substring(0, p[3].length() - ".json".length());
        version = Optional.of(d).filter(v -> StoreLayout.signature(v, keyId).equals(key));
      } catch (IllegalArgumentException e) {
        version = Optional.empty();
      }
    }
    if (version.isEmpty()) {
      return Optional.of(key + " in " + store.location() + " is not a signature AMA writes (signatures/sha256/<h2>/<version"
          + " hex>/<key id>.json); remove it if nobody else uses it");
    }
    if (!versions.contains(version.get())) {
      return Optional.of("signature " + key + " in " + store.location() + " is of version " + version.get() + ", whose"
          + " manifest is not in the store (garbage collection removed it while it was being signed?); remove it");
    }
    String keyId = p[3].substring(0, p[3].length() - ".json".length());
    Dsse.Envelope env;
    try {
      env = signatures.read(version.get(), keyId).orElseThrow();
    } catch (IntegrityException e) {
      return Optional.of(e.getMessage() + "; remove it and sign the version again");
    }
    if (!env.names(keyId)) {
      return Optional.of("signature " + key + " in " + store.location() + " is stored under the key id " + keyId
          + " but holds no signature by that key; remove it and sign the version again");
    }
    Optional<TrustedKey> known = policy.keyById(keyId);
    if (known.isEmpty()) {
      return Optional.empty();
    }
    Digest id = version.get();
    return Signatures.problem(env, queries.manifest(id), known.get())
        .map(why -> "version " + id + " in " + store.location() + " " + why + " (" + key
            + "); remove that object and sign the version again");
  }

  /** The signatures a version carries, each checked if the policy knows its key. */
  static List<VersionSignature> signaturesOf(Signatures signatures, TrustPolicy policy, AssetVersion v) {
    Set<String> ids = new LinkedHashSet<>(signatures.keyIds(v.version()));
    if (ids.isEmpty()) {
      // A store that cannot list: the policy's keys are the ones worth asking for.
      policy.keys().forEach(k -> {
        if (signatures.read(v.version(), k.keyId()).isPresent()) {
          ids.add(k.keyId());
        }
      });
    }
    List<VersionSignature> out = new ArrayList<>();
    for (String id : ids) {
      Optional<TrustedKey> key = policy.keyById(id);
      if (key.isEmpty()) {
        out.add(new VersionSignature(id, Optional.empty(), VersionSignature.Status.UNKNOWN_KEY, Optional.empty()));
        continue;
      }
      Optional<String> problem = signatures.problem(v, key.get());
      out.add(new VersionSignature(id, Optional.of(key.get().name()),
          problem.isEmpty() ? VersionSignature.Status.VALID : VersionSignature.Status.INVALID, problem));
    }
    return out;
  }
}
