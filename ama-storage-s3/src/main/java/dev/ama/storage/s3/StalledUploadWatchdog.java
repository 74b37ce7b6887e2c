package dev.ama.storage.s3;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * An HTTP client that gives up on a request whose body stops moving for longer than the socket
 * timeout. A socket timeout bounds only reads: when the peer stops reading (a dead middlebox, a
 * server that hangs mid-upload), the client's write blocks once the socket buffers are full, and
 * a blocking socket write has no timeout at all, so an upload would hang until the peer resets,
 * if ever. Here the body's reads are watched, the only sign of a write completing that the SDK's
 * transport lets through; a request silent for the timeout is aborted, which closes its
 * connection, and fails with a {@link SocketTimeoutException} that the SDK retries like any
 * other network error.
 */
final class StalledUploadWatchdog implements SdkHttpClient {
  private final SdkHttpClient delegate;
  private final long limitNanos;
  private final long checkMillis;
  private final ScheduledExecutorService timer;

  StalledUploadWatchdog(SdkHttpClient delegate, Duration limit) {
    this.delegate = delegate;
    this.limitNanos = limit.toNanos();
    this.checkMillis = Math.max(10, limit.toMillis() / 4);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ama-s3-upload-watchdog");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
    if (request.contentStreamProvider().isEmpty()) {
      return delegate.prepareRequest(request);
    }
    ContentStreamProvider body = request.contentStreamProvider().get();
    Progress progress = new Progress();
    HttpExecuteRequest.Builder watched = HttpExecuteRequest.builder()
        .request(request.httpRequest())
        .contentStreamProvider(() -> progress.watch(body.newStream()));
    request.metricCollector().ifPresent(watched::metricCollector);
    ExecutableHttpRequest call = delegate.prepareRequest(watched.build());
    return new ExecutableHttpRequest() {
      @Override
      public HttpExecuteResponse call() throws IOException {
        ScheduledFuture<?> check = timer.scheduleWithFixedDelay(() -> {
          if (progress.silentFor() > limitNanos) {
            progress.stalled = true;
            call.abort();
          }
        }, checkMillis, checkMillis, TimeUnit.MILLISECONDS);
        try {
          return call.call();
        } catch (IOException | RuntimeException e) {
          if (progress.stalled) {
            SocketTimeoutException timeout = new SocketTimeoutException("the request body did not move for "
                + limitNanos / 1_000_000 + "ms (the peer stopped reading it); the request was abandoned");
            timeout.initCause(e);
            throw timeout;
          }
          throw e;
        } finally {
          check.cancel(false);
        }
      }

      @Override
      public void abort() {
        call.abort();
      }
    };
  }

  /** When the transport last took bytes of the body; zero until it starts. */
  private static final class Progress {
    private volatile long lastRead;
    private volatile boolean stalled;

    long silentFor() {
      long last = lastRead;
      return last == 0 ? 0 : System.nanoTime() - last;
    }

    InputStream watch(InputStream in) {
      // The clock starts at the first read: before it the transport may wait, with its own bound,
      // for a 100 Continue.
      lastRead = 0;
      return new FilterInputStream(in) {
        @Override
        public int read() throws IOException {
          int b = super.read();
          lastRead = System.nanoTime();
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = super.read(b, off, len);
          lastRead = System.nanoTime();
          return n;
        }
      };
    }
  }

  @Override
  public String clientName() {
    return delegate.clientName();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    delegate.close();
  }
}
