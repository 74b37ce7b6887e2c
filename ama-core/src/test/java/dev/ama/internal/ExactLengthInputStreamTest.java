package dev.ama.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class ExactLengthInputStreamTest {
  @Test
  void yieldsExactlyTheDeclaredBytes() throws IOException {
    byte[] data = {1, 2, 3, 4, 5};
    try (InputStream in = ExactLengthInputStream.of(new ByteArrayInputStream(data), 5, "the content")) {
      assertArrayEquals(data, in.readAllBytes());
    }
  }

  @Test
  void aSurplusFailsAsTheLastDeclaredByteIsRead() {
    InputStream in = ExactLengthInputStream.of(new ByteArrayInputStream(new byte[8]), 5, "the content of k");
    // A reader wanting exactly 5 bytes never reads again, so the 5th byte's read must fail.
    IOException e = assertThrows(IOException.class, () -> in.readNBytes(5));
    assertTrue(e.getMessage().contains("the content of k yielded more bytes than its declared length 5"), e.getMessage());
  }

  @Test
  void aShortfallFailsNamingWhereItEnded() {
    InputStream in = ExactLengthInputStream.tail(new ByteArrayInputStream(new byte[3]), 5, 12, "the content of k");
    IOException e = assertThrows(IOException.class, in::readAllBytes);
    assertTrue(e.getMessage().contains("ended after 10 bytes, short of its declared length 12"), e.getMessage());
  }
}
