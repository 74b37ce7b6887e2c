package dev.ama;

import java.util.Optional;

/**
 * One signature a version carries, as {@link AssetClient#signatures} reports it.
 *
 * @param keyId the signing key's id (SHA-256 of its public key, hex)
 * @param keyName the key's name, if the client's {@link TrustPolicy} knows the key
 * @param status whether the signature was checked, and how it came out
 * @param problem why an {@link Status#INVALID} signature fails; empty otherwise
 */
public record VersionSignature(String keyId, Optional<String> keyName, Status status, Optional<String> problem) {
  /** What the client could tell of a signature. */
  public enum Status {
    /** Signed by a key the policy knows, and the statement names exactly this version's files. */
    VALID,
    /** Signed by a key the policy knows, but it does not verify or names other files or another version. */
    INVALID,
    /** Signed by a key the policy does not know, so it was not checked. */
    UNKNOWN_KEY
  }
}
