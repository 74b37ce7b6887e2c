package dev.ama;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * The content address of a blob or an asset version: an algorithm and the hash it produced,
 * written {@code sha256:<64 lowercase hex digits>}. Immutable; equal when algorithm and hash are.
 */
public final class Digest implements Comparable<Digest> {
  /** The one algorithm AMA writes today. */
  public static final String SHA256 = "sha256";

  private static final HexFormat HEX = HexFormat.of();
  private static final int SHA256_HEX_LENGTH = 64;

  private final String algorithm;
  private final String hex;

  private Digest(String algorithm, String hex) {
    this.algorithm = algorithm;
    this.hex = hex;
  }

  /**
   * Parses {@code sha256:<hex>}.
   *
   * @throws IllegalArgumentException naming the text and the expected form
   */
  public static Digest parse(String text) {
    Objects.requireNonNull(text, "text");
    int colon = text.indexOf(':');
    String algorithm = colon < 0 ? "" : text.substring(0, colon);
    String hex = colon < 0 ? "" : text.substring(colon + 1);
    if (!algorithm.equals(SHA256)) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a digest: expected sha256:<64 hex digits>");
    }
    return sha256Hex(hex);
  }

  /**
   * A SHA-256 digest from its 64 hex digits (either case).
   *
   * @throws IllegalArgumentException if the text is not 64 hex digits
   */
  public static Digest sha256Hex(String hex) {
    String lower = hex.toLowerCase(Locale.ROOT);
    if (lower.length() != SHA256_HEX_LENGTH || !isHex(lower)) {
      throw new IllegalArgumentException(
          "'" + hex + "' is not a SHA-256 digest: expected 64 hex digits");
    }
    return new Digest(SHA256, lower);
  }

  /** The SHA-256 digest of some bytes. */
  public static Digest sha256(byte[] bytes) {
    return new Digest(SHA256, HEX.formatHex(newSha256().digest(bytes)));
  }

  /** The SHA-256 digest of everything a stream yields; the caller closes the stream. */
  public static Digest sha256(InputStream in) throws IOException {
    return HashingInputStream.sha256(in);
  }

  /** Wraps a finished SHA-256 {@link MessageDigest}'s result. */
  static Digest ofSha256(byte[] hash) {
    return new Digest(SHA256, HEX.formatHex(hash));
  }

  /** A fresh SHA-256 {@link MessageDigest}; every JDK has one. */
  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }

  /** Whether the text is non-empty and only lowercase or uppercase hex digits. */
  static boolean isHex(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (Character.digit(text.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The algorithm, such as {@code sha256}. */
  public String algorithm() {
    return algorithm;
  }

  /** The hash in lowercase hex. */
  public String hex() {
    return hex;
  }

  /** The first 12 hex digits, for display where the full digest is too long. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  /** {@code sha256:<hex>}, the form {@link #parse} reads. */
  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Digest d && d.algorithm.equals(algorithm) && d.hex.equals(hex);
  }

  @Override
  public int hashCode() {
    return Objects.hash(algorithm, hex);
  }

  @Override
  public int compareTo(Digest o) {
    int c = algorithm.compareTo(o.algorithm);
    return c != 0 ? c : hex.compareTo(o.hex);
  }
}
