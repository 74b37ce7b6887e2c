package dev.ama;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * A stream that hashes and counts what is read through it, as Okio's {@code HashingSource} does:
 * the one place where bytes are checked against the digest they are stored under, whichever way
 * they move (a local file to the store, the store to the cache, the cache or the store to a
 * download folder).
 */
class HashingInputStream extends FilterInputStream {
  static final int BUFFER = 64 * 1024;

  private final MessageDigest md = Digest.newSha256();
  private long count;

  HashingInputStream(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    int c = super.read();
    if (c >= 0) {
      md.update((byte) c);
      count++;
    }
    return c;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) {
      md.update(b, off, n);
      count += n;
    }
    return n;
  }

  /** Skipped bytes would not be hashed, so skipping reads them. */
  @Override
  public long skip(long n) throws IOException {
    return skipByReading(this, n);
  }

  /** Skips by reading through {@code in}, for streams that must see every byte. */
  static long skipByReading(InputStream in, long n) throws IOException {
    byte[] buffer = new byte[(int) Math.min(BUFFER, Math.max(0, n))];
    long skipped = 0;
    while (skipped < n) {
      int r = in.read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  /** Bytes read so far. */
  long count() {
    return count;
  }

  /** The digest of the bytes read so far; call once, at the end. */
  Digest digest() {
    return Digest.ofSha256(md.digest());
  }

  /** The digest of everything a stream yields. */
  static Digest sha256(InputStream in) throws IOException {
    HashingInputStream h = new HashingInputStream(in);
    byte[] buffer = new byte[BUFFER];
    while (h.read(buffer) >= 0) {
      // only hashing
    }
    return h.digest();
  }

  /**
   * Whether a local file is a regular file holding exactly a file's bytes; it is read in full once.
   * A symbolic link does not hold them, whatever it points at: files are placed, never followed.
   */
  static boolean holds(Path p, AssetFile f) {
    try {
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.size(p) != f.size()) {
        return false;
      }
      try (InputStream in = Files.newInputStream(p)) {
        return sha256(in).equals(f.digest());
      }
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Copies a stream while hashing it and fails, before the caller renames anything into place, if
   * the bytes are not exactly the file's. Reads at most one byte more than the file's size.
   *
   * @param source where the bytes come from, for the message, such as "read from s3://b/p"
   * @param remedy what to do if the source is damaged, ending the message; may be empty
   * @throws IntegrityException if the bytes differ
   */
  static void copyVerified(InputStream in, OutputStream out, AssetFile file, String source, String remedy)
      throws IOException {
    HashingInputStream h = new HashingInputStream(in);
    byte[] buffer = new byte[BUFFER];
    for (int n; (n = h.read(buffer)) >= 0; ) {
      out.write(buffer, 0, n);
      if (h.count() > file.size()) {
        break;
      }
    }
    Digest actual = h.digest();
    if (h.count() != file.size() || !actual.equals(file.digest())) {
      throw new IntegrityException("blob " + file.digest() + " of '" + file.path() + "' " + source
          + " is corrupt: got " + (h.count() > file.size() ? "more than " + file.size() : h.count())
          + " bytes hashing to " + actual + ", expected " + file.size() + " bytes. The partial file was removed and"
          + " nothing was written under the final name" + (remedy.isEmpty() ? "" : ". " + remedy));
    }
  }
}
