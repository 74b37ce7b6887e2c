package dev.ama.spi;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/** Rules and order for storage keys, shared by every backend. */
public final class StorageKeys {
  private StorageKeys() {}

  /** The longest key AMA writes or accepts, in UTF-8 bytes (S3's and GCS's limit). */
  public static final int MAX_KEY_BYTES = 1024;

  /**
   * Key order: by UTF-8 bytes, unsigned, as S3 and GCS list. This differs from {@link
   * String#compareTo} for characters outside the Basic Multilingual Plane.
   */
  public static final Comparator<String> ORDER = StorageKeys::compareUtf8;

  /**
   * Checks that a key is well formed: non-empty, at most {@value #MAX_KEY_BYTES} UTF-8 bytes,
   * {@code /}-separated segments that are neither empty, {@code .} nor {@code ..}, no backslash,
   * no control characters, no unpaired UTF-16 surrogates. Segments starting with {@code .ama-}
   * are reserved for backends' temporary files. Spaces and non-ASCII letters are allowed.
   *
   * @return the key
   * @throws IllegalArgumentException naming the key and the rule it breaks
   */
  public static String check(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("storage key is empty");
    }
    if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "storage key is longer than " + MAX_KEY_BYTES + " UTF-8 bytes: " + key);
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\') {
        throw new IllegalArgumentException(
            "storage key " + quoted(key) + " contains a control character or backslash");
      }
      // A lone surrogate has no UTF-8 form: encoding turns it into '?', so two different keys
      // would name the same object in every byte-keyed store.
      if (Character.isSurrogate(c)
          && !(Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1)))) {
        throw new IllegalArgumentException(
            "storage key " + quoted(key) + " contains an unpaired UTF-16 surrogate, which UTF-8 cannot encode");
      }
      if (Character.isHighSurrogate(c)) {
        i++;
      }
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "storage key " + quoted(key) + " has an empty, '.' or '..' segment");
      }
      if (segment.startsWith(".ama-")) {
        throw new IllegalArgumentException(
            "storage key " + quoted(key) + " uses the reserved segment prefix '.ama-'");
      }
    }
    return key;
  }

  /**
   * Checks a listing prefix: empty (everything) or the beginning of some well-formed key, such as
   * {@code p/}, {@code p/ab} or {@code p/.}; {@link Storage#list} calls this, not {@link
   * #check(String)}, which refuses {@code p/}.
   *
   * @return the prefix
   * @throws IllegalArgumentException if no well-formed key starts with the prefix, naming why
   */
  public static String checkPrefix(String prefix) {
    if (prefix == null) {
      throw new IllegalArgumentException("storage prefix is null; use \"\" to list everything");
    }
    if (prefix.isEmpty()) {
      return prefix;
    }
    try {
      check(prefix);
    } catch (IllegalArgumentException asAKey) {
      // Its last segment may be unfinished ("p/", "p/."): a prefix only needs some key to start with it.
      try {
        check(prefix + "x");
      } catch (IllegalArgumentException refused) {
        throw new IllegalArgumentException("storage prefix " + quoted(prefix) + " starts no well-formed key: "
            + asAKey.getMessage(), refused);
      }
    }
    return prefix;
  }

  /** Checks a byte range's arguments. */
  public static void checkRange(long offset, long length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "range offset and length must not be negative: offset " + offset + ", length " + length);
    }
  }

  private static int compareUtf8(String a, String b) {
    // Comparing code points orders exactly as comparing their UTF-8 encodings does.
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static String quoted(String key) {
    return "'" + key.replace("\u0000", "\\0") + "'";
  }
}
