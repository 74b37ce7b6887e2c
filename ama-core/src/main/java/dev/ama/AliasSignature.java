package dev.ama;

import java.util.Base64;
import java.util.Objects;

/**
 * The signature an alias log entry carries when its mover signed it: an Ed25519 signature by the
 * key {@code keyId} over DSSE's pre-authentication encoding of the entry's canonical JSON without
 * this field (payload type {@value #PAYLOAD_TYPE}). The signed fields include the entry's position
 * and the version it moved from, so a signed entry cannot be replayed at another position.
 *
 * @param keyId the signing key's id ({@link TrustedKey#keyId()})
 * @param value the signature, standard base64
 */
public record AliasSignature(String keyId, String value) {
  /** The DSSE payload type under which alias entries are signed. */
  public static final String PAYLOAD_TYPE = "application/vnd.ama.alias-entry+json";

  /** Validates the fields. */
  public AliasSignature {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(value, "value");
  }

  /** The raw signature bytes, or empty bytes if {@link #value()} is not base64 (a signature that cannot verify). */
  byte[] bytes() {
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      return new byte[0];
    }
  }

  static AliasSignature of(SigningKey key, AliasEntry unsigned) {
    return new AliasSignature(key.keyId(), Base64.getEncoder().encodeToString(key.sign(Manifests.aliasEntrySigned(unsigned))));
  }

  /** Whether this is {@code key}'s valid signature of {@code entry}. */
  boolean verifies(TrustedKey key, AliasEntry entry) {
    return keyId.equals(key.keyId()) && key.verifies(Manifests.aliasEntrySigned(entry), bytes());
  }
}
