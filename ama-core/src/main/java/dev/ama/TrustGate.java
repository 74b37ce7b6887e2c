package dev.ama;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Applies a client's {@link TrustPolicy} before bytes reach a disk: a version must carry a valid
 * signature by an allowed key where a rule requires it, and the alias entry a load resolved must
 * be signed where a rule requires that. Checks that passed are remembered (a manifest and a
 * signature never change under their keys), so a warm load costs no request for them.
 *
 * <p>Rollback: the highest signed position this client saw of each alias is remembered, and a
 * head below it is refused, so deleting an alias log's newest entries cannot move a running
 * server back to an older signed version (docs/trust.md, threat model).
 */
final class TrustGate {
  private final TrustPolicy policy;
  private final Signatures signatures;
  private final String location;
  private final Set<String> passed = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> highestSeen = new ConcurrentHashMap<>();

  TrustGate(TrustPolicy policy, Signatures signatures, String location) {
    this.policy = policy;
    this.signatures = signatures;
    this.location = location;
  }

  TrustPolicy policy() {
    return policy;
  }

  /**
   * Refuses a version that some rule requires to be signed and that no allowed key validly signed.
   *
   * @param alias the alias it was reached through now, if any
   * @throws UntrustedException naming the version, the rule and the fix
   */
  void checkVersion(AssetVersion v, Optional<String> alias) {
    for (TrustPolicy.Rule rule : policy.rules()) {
      if (!rule.signedVersions() || !rule.applies(v.type(), alias)) {
        continue;
      }
      List<TrustedKey> keys = policy.keysOf(rule);
      if (keys.stream().anyMatch(k -> passed.contains(v.version() + " " + k.keyId()))) {
        continue;
      }
      List<String> problems = new ArrayList<>();
      boolean ok = false;
      for (TrustedKey k : keys) {
        Optional<String> problem = signatures.problem(v, k);
        if (problem.isEmpty()) {
          passed.add(v.version() + " " + k.keyId());
          ok = true;
          break;
        }
        problems.add(problem.get());
      }
      if (!ok) {
        String signer = keys.size() == 1 ? keys.get(0).name() : "one of " + keys.stream().map(TrustedKey::name).toList();
        throw new UntrustedException("version " + v.version() + " (" + v.type() + alias.map(a -> ", alias " + a).orElse("")
            + ") in " + location + " is not trusted: " + policy.describe(rule) + " requires a valid signature by "
            + signer + ", and it " + String.join("; it ", problems) + ". Nothing was written. If this version is the"
            + " one to release, sign it with: ama sign " + v.type() + " " + v.version() + " --key " + keys.get(0).name()
            + ".key.pem; otherwise point the alias back at a signed version");
      }
    }
  }

  /**
   * Refuses an alias head that some rule requires to be signed and that carries no valid signature
   * by an allowed key, or that is older than a signed head this client saw before. A removal is a
   * move like any other: unsigned, it is refused as untrusted rather than taken for a removal, so
   * bucket write access alone cannot take an alias out of service without it being reported.
   *
   * @throws UntrustedException naming the entry, the rule and the fix
   */
  void checkMove(AliasEntry head) {
    String name = head.type() + "/" + head.alias();
    String moved = head.removed() ? "removed" : "moved";
    for (TrustPolicy.Rule rule : policy.rules()) {
      if (!rule.signedMoves() || !rule.applies(head.type(), Optional.of(head.alias()))) {
        continue;
      }
      List<TrustedKey> keys = policy.keysOf(rule);
      Optional<AliasSignature> sig = head.signature();
      String why;
      if (sig.isEmpty()) {
        why = "it carries no signature (" + moved + " by " + head.by() + " at " + head.at() + " without a release key)";
      } else {
        Optional<TrustedKey> key = keys.stream().filter(k -> k.keyId().equals(sig.get().keyId())).findFirst();
        if (key.isPresent() && sig.get().verifies(key.get(), head)) {
          refuseRollback(head, name);
          continue;
        }
        why = key.isEmpty()
            ? "it is signed by the key " + sig.get().keyId() + policy.keyById(sig.get().keyId()).map(k -> " (" + k.name() + ")").orElse("")
                + ", which this rule does not accept"
            : "its signature by " + key.get().name() + " does not verify (the entry was altered after signing)";
      }
      String keyFile = keys.get(0).name() + ".key.pem";
      String what = head.removed()
          ? "was removed by " + head.by() + " at " + head.at() + " (entry " + head.seq() + " of its log; it pointed at "
              + head.previous().map(Digest::toString).orElse("?") + ")"
          : "points at " + head.version() + " by entry " + head.seq() + " of its log";
      String fix = head.removed()
          ? "A holder of the release key can confirm the removal with: ama alias rm " + head.type() + " " + head.alias()
              + " --sign " + keyFile + ", or restore the alias with: ama alias set " + head.type() + " " + head.alias()
              + " " + head.previous().map(Digest::toString).orElse("VERSION") + " --sign " + keyFile
          : "A holder of the release key can move it with: ama alias set " + head.type() + " " + head.alias()
              + " VERSION --sign " + keyFile;
      throw new UntrustedException("alias " + name + " in " + location + " " + what + ", which is not trusted: "
          + policy.describe(rule) + " requires the " + (head.removed() ? "removal" : "move") + " to be signed by "
          + keys.stream().map(TrustedKey::name).toList() + ", and " + why + ". Nothing was written. " + fix);
    }
  }

  private void refuseRollback(AliasEntry head, String name) {
    long seen = highestSeen.merge(name, head.seq(), Math::max);
    if (head.seq() < seen) {
      throw new UntrustedException("alias " + name + " in " + location + " has entry " + head.seq() + " as its head, but"
          + " this client saw its signed entry " + seen + " before: newer entries were removed from its log, which"
          + " would roll the alias back. Nothing was written. Check the store for tampering (ama log " + head.type()
          + " --alias " + head.alias() + "), then have a holder of the release key move it again");
    }
  }
}
