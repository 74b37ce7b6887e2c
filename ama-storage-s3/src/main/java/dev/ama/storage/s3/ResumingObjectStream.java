package dev.ama.storage.s3;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The body of a GetObject that outlives a broken connection. The SDK retries a request until its
 * response starts, not while its body is read, so a reset, a stall past the socket timeout or a
 * body ending short of its {@code Content-Length} would fail a download of gigabytes at its last
 * byte. Here the rest is asked for again, a Range GET from the first byte not yet read, pinned to
 * the object's ETag ({@code If-Match}) so a replaced object is never spliced onto the old one.
 *
 * <p>A read gives up after {@code maxAttempts} failures in a row without {@link #PROGRESS} bytes
 * read between them, with the error naming the key, so a permanent fault ends in bounded time and
 * a long transfer over a flaky network still completes.
 */
final class ResumingObjectStream extends InputStream {
  /**
   * How much a read must deliver between two failures to count as progress. A server that
   * sends half of what is left and then stalls, again and again, would otherwise be resumed
   * log2(size) times, each costing a socket timeout.
   */
  static final long PROGRESS = 1 << 20;

  /** Sends a ranged GET for bytes {@code from}..{@code last} of the object with this ETag. */
  interface RangeOpener {
    ResponseInputStream<GetObjectResponse> open(long from, long last, String eTag);
  }

  private final RangeOpener opener;
  private final S3Errors errors;
  private final String s3Key;
  private final int maxAttempts;
  private final long start;
  private final long length;
  private final String eTag;
  private ResponseInputStream<GetObjectResponse> body;
  private long position;
  private long positionAtLastFailure;
  private int failuresInARow;

  /**
   * @param first the response to the first GET, for bytes from {@code start} on, with its Content-Length
   * @param start the object offset the first response's body begins at
   */
  ResumingObjectStream(
      ResponseInputStream<GetObjectResponse> first, long start, RangeOpener opener, S3Errors errors, String s3Key,
      int maxAttempts) {
    this.body = first;
    this.start = start;
    this.opener = opener;
    this.errors = errors;
    this.s3Key = s3Key;
    this.maxAttempts = maxAttempts;
    this.length = first.response().contentLength();
    this.eTag = first.response().eTag();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (true) {
      if (position >= length) {
        return -1;
      }
      IOException failure;
      try {
        int n = body.read(b, off, (int) Math.min(len, length - position));
        if (n > 0) {
          position += n;
          if (position - positionAtLastFailure >= PROGRESS) {
            failuresInARow = 0;
          }
          return n;
        }
        failure = new EOFException("the body ended after " + position + " of " + length + " bytes");
      } catch (IOException e) {
        failure = e;
      }
      resume(failure);
    }
  }

  private void resume(IOException failure) throws IOException {
    body.abort();
    positionAtLastFailure = position;
    while (true) {
      if (++failuresInARow >= maxAttempts || eTag == null) {
        throw errors.connectionBroke("read", s3Key, failure, failure);
      }
      S3Storage.pause(failuresInARow, "resuming the read of " + errors.target(s3Key));
      try {
        ResponseInputStream<GetObjectResponse> next = opener.open(start + position, start + length - 1, eTag);
        if (next.response().contentLength() != null && next.response().contentLength() == length - position) {
          body = next;
          return;
        }
        next.abort();
        failure = new EOFException("the response to the resumed read carried no or a wrong Content-Length ("
            + next.response().contentLength() + " for " + (length - position) + " bytes)");
      } catch (S3Exception e) {
        if (e.statusCode() == 412) {
          throw new IOException(errors.target(s3Key) + " was replaced while it was read (its ETag is no longer "
              + eTag + "); read it again", e);
        }
        failure = errors.translate("read", s3Key, e);
      } catch (SdkException e) {
        failure = errors.translate("read", s3Key, e);
      }
    }
  }

  @Override
  public int available() {
    return 0;
  }

  @Override
  public void close() throws IOException {
    if (position < length) {
      // Draining the rest only to reuse the connection would read what nobody wants.
      body.abort();
    }
    body.close();
  }
}
