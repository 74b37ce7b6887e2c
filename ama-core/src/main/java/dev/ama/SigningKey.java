package dev.ama;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Objects;

/**
 * An Ed25519 key pair that signs versions ({@link AssetUpload#sign}, {@link AssetClient#sign}) and
 * alias moves. Read from a PKCS#8 PEM file ({@code -----BEGIN PRIVATE KEY-----}, as {@code ama key
 * generate} and {@code openssl genpkey -algorithm ed25519} write) or a PKCS12 KeyStore entry, or
 * made with {@link #generate(String)}. Immutable and thread-safe; {@link #toString()} never shows
 * the private key.
 */
public final class SigningKey {
  static final String PEM_LABEL = "PRIVATE KEY";

  private final PrivateKey key;
  private final TrustedKey publicKey;

  private SigningKey(PrivateKey key, TrustedKey publicKey) {
    this.key = key;
    this.publicKey = publicKey;
  }

  /**
   * A new random key pair.
   *
   * @param name what people will call the key, such as {@code release}
   * @throws InvalidInputException if the name is not a valid key name
   */
  public static SigningKey generate(String name) {
    TrustedKey.checkName(name);
    try {
      KeyPair kp = KeyPairGenerator.getInstance(TrustedKey.ALGORITHM).generateKeyPair();
      return new SigningKey(kp.getPrivate(), TrustedKey.of(name, kp.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this Java has no Ed25519 (Java 15 and later have it built in)", e);
    }
  }

  /**
   * Reads a private key from a PKCS#8 PEM file. Its name is the file name without {@code .key.pem}
   * or {@code .pem}; the public key is derived from the private one.
   *
   * @throws InvalidInputException if the file cannot be read or holds no Ed25519 private key
   */
  public static SigningKey read(Path pemFile) {
    byte[] der = Pem.read(pemFile, PEM_LABEL, "private key",
        "Give the .key.pem file of a key pair; ama key generate --out DIR writes one");
    try {
      PrivateKey priv = KeyFactory.getInstance(TrustedKey.ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
      return new SigningKey(priv, TrustedKey.of(TrustedKey.nameOf(pemFile), publicOf(priv)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new InvalidInputException("file " + pemFile + " holds no Ed25519 private key (" + e.getMessage()
          + "); AMA signs with Ed25519 only. Create a key pair with: ama key generate --out DIR", e);
    }
  }

  /**
   * Reads a private key from a PKCS12 KeyStore entry whose certificate carries the public key.
   *
   * @param name what people call the key, such as {@code release}
   * @throws InvalidInputException if the KeyStore cannot be opened with the password, or the entry
   *     is missing or not an Ed25519 key
   */
  public static SigningKey fromKeyStore(Path keyStore, char[] password, String entry, String name) {
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(entry, "entry");
    try (InputStream in = Files.newInputStream(keyStore)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      if (!(ks.getKey(entry, password) instanceof PrivateKey priv)) {
        throw new InvalidInputException("KeyStore " + keyStore + " has no private key entry '" + entry + "'; its entries: "
            + String.join(", ", java.util.Collections.list(ks.aliases())) + ". Name one of them");
      }
      Certificate cert = ks.getCertificate(entry);
      if (cert == null) {
        throw new InvalidInputException("KeyStore entry '" + entry + "' of " + keyStore + " has no certificate, so its"
            + " public key is unknown. Store the key with its certificate (keytool -genkeypair -keyalg Ed25519)");
      }
      SigningKey k = new SigningKey(priv, TrustedKey.of(name, cert.getPublicKey()));
      k.checkPair();
      return k;
    } catch (IOException | GeneralSecurityException e) {
      throw new InvalidInputException("cannot read the key '" + entry + "' from the KeyStore " + keyStore + ": "
          + e.getMessage() + ". Check the path, the password and that it is a PKCS12 KeyStore", e);
    }
  }

  /** The public half of a PKCS#8 Ed25519 key: the JDK cannot derive it, so it is computed from the seed. */
  private static PublicKey publicOf(PrivateKey priv) throws GeneralSecurityException {
    // The generator turns 32 random bytes into a pair; given the key's own seed (RFC 8032's private
    // key) through a SecureRandom that returns it, it rebuilds this very pair.
    byte[] seed = ((java.security.interfaces.EdECPrivateKey) priv).getBytes().orElseThrow(
        () -> new java.security.InvalidKeyException("the private key hides its bytes"));
    KeyPairGenerator g = KeyPairGenerator.getInstance(TrustedKey.ALGORITHM);
    g.initialize(255, new FixedRandom(seed));
    return g.generateKeyPair().getPublic();
  }

  /** Hands out one fixed seed, so the generator rebuilds the pair of a known private key. */
  private static final class FixedRandom extends java.security.SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] seed;

    FixedRandom(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      System.arraycopy(seed, 0, bytes, 0, Math.min(bytes.length, seed.length));
    }
  }

  /** Refuses a private key whose public key is not the one given with it. */
  private void checkPair() {
    byte[] probe = "ama key check".getBytes(StandardCharsets.US_ASCII);
    if (!publicKey.verifies(probe, sign(probe))) {
      throw new InvalidInputException("the private key and the public key given for " + publicKey.name()
          + " are not one pair; give the certificate made with this key");
    }
  }

  /** The public half, for a {@link TrustPolicy} and for {@code .pub.pem} files. */
  public TrustedKey publicKey() {
    return publicKey;
  }

  /** The key id signatures name; see {@link TrustedKey#keyId()}. */
  public String keyId() {
    return publicKey.keyId();
  }

  /** The key's name. */
  public String name() {
    return publicKey.name();
  }

  /**
   * Writes the pair into a folder as {@code <name>.key.pem} (readable by its owner only, where the
   * file system has POSIX permissions) and {@code <name>.pub.pem}, refusing to replace either.
   *
   * @return the private key file
   * @throws InvalidInputException if either file exists; nothing was written then
   * @throws LocalFileException if the folder cannot be written
   */
  public Path write(Path folder) {
    Path priv = folder.resolve(name() + ".key.pem");
    Path pub = folder.resolve(name() + ".pub.pem");
    for (Path p : new Path[] {priv, pub}) {
      if (Files.exists(p)) {
        throw new InvalidInputException(p + " exists already; nothing was written. Choose another name or folder, or"
            + " remove it if the key is no longer used (signatures it made can then no longer be checked with it)");
      }
    }
    try {
      Files.createDirectories(folder);
      Path tmp = Files.createTempFile(folder, ".ama-key-", ".part");
      try {
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // A file system without POSIX permissions: the folder's own protection is all there is.
        }
        Files.write(tmp, Pem.encode(PEM_LABEL, key.getEncoded()));
        Files.move(tmp, priv);
      } finally {
        Files.deleteIfExists(tmp);
      }
      Files.write(pub, publicKey.pem(), java.nio.file.StandardOpenOption.CREATE_NEW);
      return priv;
    } catch (IOException e) {
      throw new LocalFileException("cannot write the key pair into " + folder + ": " + e.getMessage()
          + ". Check that the folder is writable", e);
    }
  }

  /** The Ed25519 signature of a message; deterministic, so signing the same bytes twice gives the same signature. */
  byte[] sign(byte[] message) {
    try {
      Signature s = Signature.getInstance(TrustedKey.ALGORITHM);
      s.initSign(key);
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed with a valid key", e);
    }
  }

  @Override
  public String toString() {
    return "SigningKey[" + publicKey + "]";
  }
}
