package dev.ama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {
  private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void hashesBytesAndStreamsToTheStandardSha256() throws Exception {
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
    assertEquals("sha256:" + ABC, Digest.sha256(abc).toString());
    assertEquals(Digest.sha256(abc), Digest.sha256(new ByteArrayInputStream(abc)));
  }

  @Test
  void parsesWhatItFormatsAndNormalizesCase() {
    Digest d = Digest.parse("sha256:" + ABC.toUpperCase());
    assertEquals("sha256:" + ABC, d.toString());
    assertEquals(d, Digest.parse(d.toString()));
    assertEquals(ABC.substring(0, 12), d.shortHex());
  }

  @Test
  void refusesTextThatIsNotADigestNamingTheExpectedForm() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Digest.parse("md5:abc"));
    assertTrue(e.getMessage().contains("md5:abc") && e.getMessage().contains("sha256:<64 hex digits>"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:" + ABC.substring(1)));
    assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:" + ABC.replace('a', 'g')));
    assertThrows(IllegalArgumentException.class, () -> Digest.parse(ABC));
  }

  @Test
  void digestsOfDifferentBytesDiffer() {
    assertNotEquals(Digest.sha256(new byte[0]), Digest.sha256(new byte[1]));
  }
}
