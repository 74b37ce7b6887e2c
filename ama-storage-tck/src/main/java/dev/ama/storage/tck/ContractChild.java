package dev.ama.storage.tck;

import dev.ama.internal.ChildPipe;
import dev.ama.spi.Content;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageCapability;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;

/**
 * The other process of the cross-process contract tests: opens the store under test by its
 * location and options, as any process would, and runs one command per line of its standard
 * input, answering one line per command on its standard output.
 *
 * <p>Input: the location, then the options ({@code key=value&...}, URL-encoded), then commands:
 * {@code PUT_IF_ABSENT key seed size} (answers the outcome), {@code LARGE key size} (writes, if
 * it may, and reads back a generated object; answers {@code OK} or what went wrong) and {@code
 * EXIT}. Every answer is one line, so the parent can tell each process's outcome apart. The
 * options travel through the pipe, not the command line, since they may hold credentials.
 */
final class ContractChild {
  static final String READY = ChildPipe.READY;

  private ContractChild() {}

  public static void main(String[] args) throws IOException {
    ChildPipe.serve(ContractChild::run);
  }

  private static String run(Storage storage, String[] words) {
    try {
      switch (words[0]) {
        case "PUT_IF_ABSENT":
          return storage.putIfAbsent(decode(words[1]),
              Content.ofBytes(GeneratedContent.bytes(Long.parseLong(words[2]), Integer.parseInt(words[3])))).name();
        case "LARGE":
          return large(storage, decode(words[1]), Long.parseLong(words[2]));
        default:
          return "ERROR unknown command " + words[0];
      }
    } catch (Exception e) {
      return "ERROR " + e;
    } catch (OutOfMemoryError e) {
      return "OUT_OF_MEMORY in " + words[0] + " with a heap of " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB";
    }
  }

  private static String large(Storage storage, String key, long size) throws IOException {
    String stage = "writing";
    try {
      if (storage.capabilities().contains(StorageCapability.WRITE)) {
        storage.putIfAbsent(key, GeneratedContent.of(StorageContract.LARGE_SEED, size));
      }
      stage = "reading";
      byte[] expected;
      try (InputStream generated = GeneratedContent.of(StorageContract.LARGE_SEED, size).openStream()) {
        expected = sha256(generated);
      }
      byte[] actual;
      try (InputStream read = storage.open(key)) {
        actual = sha256(read);
      }
      return Arrays.equals(expected, actual) ? "OK" : "MISMATCH the object read back differs from the one written";
    } catch (OutOfMemoryError e) {
      return "OUT_OF_MEMORY while " + stage + " a " + size / (1 << 20) + " MiB object with a heap of "
          + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB";
    }
  }

  private static byte[] sha256(InputStream in) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[64 * 1024];
    for (int n; (n = in.read(buf)) >= 0; ) {
      md.update(buf, 0, n);
    }
    return md.digest();
  }

  static String encode(String s) {
    return ChildPipe.encode(s);
  }

  static String decode(String s) {
    return ChildPipe.decode(s);
  }

  static String encodeOptions(Map<String, String> options) {
    return ChildPipe.encodeOptions(options);
  }
}
