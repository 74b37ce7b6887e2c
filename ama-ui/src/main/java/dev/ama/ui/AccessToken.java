package dev.ama.ui;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/** The dashboard's secret: 32 random bytes, URL-safe base64, compared in constant time. */
final class AccessToken {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String value;

  private AccessToken(String value) {
    this.value = value;
  }

  static AccessToken random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return new AccessToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
  }

  String value() {
    return value;
  }

  /** Whether a presented token is this one, taking the same time wherever it differs. */
  boolean matches(String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "AccessToken[hidden]";
  }
}
