package dev.ama.examples.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The latency proxy delays without losing, reordering or throttling, seen through real sockets:
 * an echo server behind it, a client in front.
 */
class LatencyProxyTest {
  private static final Duration RTT = Duration.ofMillis(40);

  private ServerSocket echo;
  private ExecutorService threads;

  @BeforeEach
  void startEchoServer() throws IOException {
    echo = new ServerSocket();
    echo.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    threads = Executors.newCachedThreadPool();
    threads.execute(() -> {
      while (!echo.isClosed()) {
        try {
          Socket s = echo.accept();
          threads.execute(() -> {
            try (s) {
              s.getInputStream().transferTo(s.getOutputStream());
            } catch (IOException e) {
              // The client went away.
            }
          });
        } catch (IOException e) {
          return;
        }
      }
    });
  }

  @AfterEach
  void stop() throws IOException {
    echo.close();
    threads.shutdownNow();
  }

  private URI echoUri() {
    return URI.create("tcp://127.0.0.1:" + echo.getLocalPort());
  }

  @Test
  void eachRoundTripTakesAtLeastTheConfiguredTime() throws Exception {
    try (LatencyProxy proxy = LatencyProxy.start(echoUri(), RTT); Socket s = connect(proxy)) {
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      // The first exchange also pays the handshake's round trip, the later ones one round trip each.
      long first = roundTrip(out, in, 1);
      assertTrue(first >= 2 * RTT.toNanos(), "first round trip took " + first / 1e6 + " ms");
      for (int i = 2; i <= 5; i++) {
        long t = roundTrip(out, in, i);
        assertTrue(t >= RTT.toNanos(), "round trip " + i + " took " + t / 1e6 + " ms");
        assertTrue(t < 20 * RTT.toNanos(), "round trip " + i + " took " + t / 1e6 + " ms, far beyond " + RTT);
      }
      assertEquals(1, proxy.connections());
    }
  }

  @Test
  void manyMegabytesArriveIntactInOrderWithoutTheDelayPaidPerChunk() throws Exception {
    int size = 16 << 20;
    byte[] data = new byte[size];
    new SplittableRandom(18).nextBytes(data);
    try (LatencyProxy proxy = LatencyProxy.start(echoUri(), Duration.ofMillis(200)); Socket s = connect(proxy)) {
      long t = System.nanoTime();
      // Write and read at once: the echo sends back while the rest is still on its way.
      Future<?> writer = threads.submit(() -> {
        OutputStream out = s.getOutputStream();
        for (int off = 0; off < size; off += 1 << 20) {
          out.write(data, off, Math.min(1 << 20, size - off));
        }
        s.shutdownOutput();
        return null;
      });
      byte[] back = s.getInputStream().readAllBytes();
      writer.get(1, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - t) / 1e9;
      assertArrayEquals(data, back, "the bytes came back changed, reordered or cut");
      // A proxy that waited out the delay chunk by chunk instead of reading on would take at least
      // 256 chunks × 100 ms ≈ 26 s; pipelined, the delay is paid about once, even on a busy machine.
      assertTrue(seconds < 20, String.format("16 MiB through the proxy took %.1f s", seconds));
    }
  }

  @Test
  void anEndOfStreamIsPassedOnAsAHalfCloseAfterTheData() throws Exception {
    try (LatencyProxy proxy = LatencyProxy.start(echoUri(), RTT); Socket s = connect(proxy)) {
      s.getOutputStream().write("last words".getBytes());
      s.shutdownOutput();
      // The echo server only closes once it has seen the end; everything sent comes first.
      assertEquals("last words", new String(s.getInputStream().readAllBytes()));
    }
  }

  @Test
  void aNegativeRoundTripOrAnUpstreamWithoutPortIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> LatencyProxy.start(echoUri(), Duration.ofMillis(-1)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LatencyProxy.start(URI.create("http://localhost"), RTT));
    assertTrue(e.getMessage().contains("http://localhost"), e.getMessage());
  }

  private static Socket connect(LatencyProxy proxy) throws IOException {
    Socket s = new Socket(proxy.endpoint().getHost(), proxy.endpoint().getPort());
    s.setTcpNoDelay(true);
    s.setSoTimeout(60_000);
    return s;
  }

  /** Sends one byte and waits for the echo; returns the nanoseconds that took. */
  private static long roundTrip(OutputStream out, InputStream in, int value) throws IOException {
    long t = System.nanoTime();
    out.write(value);
    out.flush();
    int back = in.read();
    long elapsed = System.nanoTime() - t;
    assertEquals(value, back);
    return elapsed;
  }
}
