package dev.ama;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Objects;

/**
 * An Ed25519 public key that a {@link TrustPolicy} trusts, with a name for people ({@code
 * release}) and its key id: the SHA-256 of its X.509 SubjectPublicKeyInfo DER, in lowercase hex,
 * which signatures name (docs/trust.md). Immutable.
 */
public final class TrustedKey {
  static final String ALGORITHM = "Ed25519";
  static final String PEM_LABEL = "PUBLIC KEY";

  private final String name;
  private final PublicKey key;
  private final String keyId;

  private TrustedKey(String name, PublicKey key) {
    if (!ALGORITHM.equals(key.getAlgorithm()) && !"EdDSA".equals(key.getAlgorithm())) {
      throw new InvalidInputException("key " + name + " is a " + key.getAlgorithm() + " key; AMA signs and verifies"
          + " with Ed25519 only. Create one with: ama key generate --out DIR");
    }
    this.name = checkName(name);
    this.key = key;
    this.keyId = keyIdOf(key.getEncoded());
  }

  /**
   * A key under a name.
   *
   * @throws InvalidInputException if the key is not Ed25519 or the name is not a valid key name
   */
  public static TrustedKey of(String name, PublicKey key) {
    return new TrustedKey(name, Objects.requireNonNull(key, "key"));
  }

  /**
   * Reads a public key from a PEM file ({@code -----BEGIN PUBLIC KEY-----}, as {@code openssl pkey
   * -pubout} writes). Its name is the file name without {@code .pub.pem}, {@code .pem} or {@code
   * .pub}.
   *
   * @throws InvalidInputException if the file cannot be read or holds no Ed25519 public key
   */
  public static TrustedKey read(Path pemFile) {
    return read(nameOf(pemFile), pemFile);
  }

  /** Reads a public key from a PEM file under a name of the caller's choosing; see {@link #read(Path)}. */
  public static TrustedKey read(String name, Path pemFile) {
    byte[] der = Pem.read(pemFile, PEM_LABEL, "public key",
        "Give the .pub.pem file of a key pair; ama key generate writes one, openssl pkey -pubout makes one");
    try {
      return new TrustedKey(name, KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der)));
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException("file " + pemFile + " holds no Ed25519 public key (" + e.getMessage()
          + "); AMA verifies Ed25519 signatures only. Create a key pair with: ama key generate --out DIR", e);
    }
  }

  private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}");

  /** Key names appear in policies and messages: letters, digits and {@code _.@-}, as alias names. */
  static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInputException("invalid key name '" + name + "': use letters, digits and _.@- (up to 128,"
          + " starting with a letter or digit), such as release");
    }
    return name;
  }

  /** The name a key file gives its key: the file name without its key suffixes. */
  static String nameOf(Path file) {
    String n = file.getFileName().toString();
    for (String suffix : new String[] {".pub.pem", ".key.pem", ".pem", ".pub", ".key"}) {
      if (n.endsWith(suffix) && n.length() > suffix.length()) {
        return n.substring(0, n.length() - suffix.length());
      }
    }
    return n;
  }

  /** The name people know the key by. */
  public String name() {
    return name;
  }

  /** The key id signatures name: SHA-256 of the SubjectPublicKeyInfo DER, 64 lowercase hex digits. */
  public String keyId() {
    return keyId;
  }

  /** The JDK key. */
  public PublicKey publicKey() {
    return key;
  }

  /** The key as PEM text, for a {@code .pub.pem} file. */
  public byte[] pem() {
    return Pem.encode(PEM_LABEL, key.getEncoded());
  }

  /** Whether {@code signature} is this key's Ed25519 signature of {@code message}. */
  boolean verifies(byte[] message, byte[] signature) {
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initVerify(key);
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      // A malformed signature (wrong length) is a signature that does not verify.
      return false;
    }
  }

  static String keyIdOf(byte[] spki) {
    return Digest.sha256(spki).hex();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrustedKey k && k.name.equals(name) && k.keyId.equals(keyId);
  }

  @Override
  public int hashCode() {
    return keyId.hashCode();
  }

  @Override
  public String toString() {
    return name + " (" + keyId.substring(0, 16) + "…)";
  }
}
