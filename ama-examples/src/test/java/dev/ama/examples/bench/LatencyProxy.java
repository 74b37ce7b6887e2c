package dev.ama.examples.bench;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback that adds a round-trip time to every connection to one upstream
 * address, so a benchmark can run a client against a local server as if it sat a network away.
 * This machine's kernel has no {@code netem}; the proxy is the harness's stand-in for it.
 *
 * <p>Each direction of a connection holds every chunk it reads for half the round-trip time
 * before writing it on, in the order read. Reading goes on while earlier chunks wait, so the
 * delay costs latency, not bandwidth, up to a window of {@value #WINDOW} bytes in flight per
 * direction (as a TCP window would bound it), however small the reads. A new connection
 * also pays its handshake: nothing the client sends reaches the server before one round trip after
 * the connection was accepted, plus the half round trip of the data itself, as on a real network
 * where the client sends its first bytes with the handshake's last packet. An end of stream is
 * delayed like data and passed on as a half close.
 *
 * <pre>{@code
 * try (LatencyProxy proxy = LatencyProxy.start(s3.endpoint(), Duration.ofMillis(20))) {
 *   String location = s3.storeUri(bucket, "store", proxy.endpoint());
 *   ...
 * }
 * }</pre>
 *
 * <p>Plain blocking sockets, two threads per direction of each connection; made for a benchmark's
 * few dozen connections, not for thousands.
 */
final class LatencyProxy implements AutoCloseable {
  /** The largest chunk read and delayed as one. */
  static final int CHUNK = 64 * 1024;
  /** Bytes in flight per direction: 8 MiB, a generous TCP window. */
  static final int WINDOW = 8 << 20;

  private static final byte[] END = new byte[0];

  private final ServerSocket listener;
  private final InetSocketAddress upstream;
  private final long oneWayNanos;
  private final long rttNanos;
  private final ExecutorService threads;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong connections = new AtomicLong();

  private LatencyProxy(ServerSocket listener, InetSocketAddress upstream, Duration rtt) {
    this.listener = listener;
    this.upstream = upstream;
    this.rttNanos = rtt.toNanos();
    this.oneWayNanos = rttNanos / 2;
    AtomicInteger n = new AtomicInteger();
    this.threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "latency-proxy-" + listener.getLocalPort() + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    threads.execute(this::accept);
  }

  /**
   * Starts a proxy on a free loopback port in front of {@code upstream} ({@code http://host:port}
   * or any URI with a host and port), adding {@code rtt} to each round trip.
   */
  static LatencyProxy start(URI upstream, Duration rtt) throws IOException {
    if (rtt.isNegative()) {
      throw new IllegalArgumentException("a round-trip time cannot be negative: " + rtt);
    }
    if (upstream.getHost() == null || upstream.getPort() < 0) {
      throw new IllegalArgumentException("the upstream " + upstream + " needs a host and a port, such as"
          + " http://127.0.0.1:9000");
    }
    ServerSocket listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
    return new LatencyProxy(listener, new InetSocketAddress(upstream.getHost(), upstream.getPort()), rtt);
  }

  /** The proxy's endpoint, {@code http://127.0.0.1:PORT}, to give the client instead of the server's. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  /** The round-trip time the proxy adds. */
  Duration rtt() {
    return Duration.ofNanos(rttNanos);
  }

  /** How many client connections the proxy has accepted: a client's connection reuse, seen from outside. */
  long connections() {
    return connections.get();
  }

  /** Stops accepting and closes every connection. */
  @Override
  public void close() {
    quietly(listener);
    open.forEach(LatencyProxy::quietly);
    threads.shutdownNow();
    try {
      threads.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "LatencyProxy[" + endpoint() + " -> " + upstream + ", rtt " + rtt().toMillis() + " ms]";
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      long accepted = System.nanoTime();
      connections.incrementAndGet();
      try {
        threads.execute(() -> connect(client, accepted));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        quietly(client);
        return; // shutting down
      }
    }
  }

  private void connect(Socket client, long accepted) {
    open.add(client);
    Socket server = new Socket();
    open.add(server);
    try {
      client.setTcpNoDelay(true);
      server.setTcpNoDelay(true);
      server.connect(upstream, 10_000);
    } catch (IOException e) {
      // The client sees the connection closed, as it would when the server refuses.
      closeBoth(client, server);
      return;
    }
    AtomicInteger ended = new AtomicInteger();
    Runnable done = () -> {
      if (ended.incrementAndGet() == 2) {
        closeBoth(client, server);
      }
    };
    pipe(client, server, accepted + rttNanos, done);
    pipe(server, client, accepted, done);
  }

  /**
   * Starts copying {@code from} to {@code to}, each chunk written one way's delay after it was
   * read, and never before {@code notBefore} plus that delay.
   */
  private void pipe(Socket from, Socket to, long notBefore, Runnable done) {
    BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    Semaphore window = new Semaphore(WINDOW);
    threads.execute(() -> {
      try {
        InputStream in = from.getInputStream();
        while (true) {
          byte[] buffer = new byte[CHUNK];
          int n = in.read(buffer);
          long due = Math.max(System.nanoTime(), notBefore) + oneWayNanos;
          if (n < 0) {
            queue.put(new Chunk(END, due));
            return;
          }
          window.acquire(n);
          queue.put(new Chunk(n == CHUNK ? buffer : Arrays.copyOf(buffer, n), due));
        }
      } catch (IOException e) {
        // A reset or a close: the writer is told by the end marker, or by its own failing write.
        queue.offer(new Chunk(END, System.nanoTime()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    threads.execute(() -> {
      try {
        OutputStream out = to.getOutputStream();
        while (true) {
          Chunk c = queue.take();
          long wait = c.due - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          if (c.bytes == END) {
            to.shutdownOutput();
            return;
          }
          out.write(c.bytes);
          window.release(c.bytes.length);
        }
      } catch (IOException e) {
        // The receiving side went away; closing both ends tells the sender, and opening the window
        // frees a reader blocked on it so it sees the closed socket and ends.
        closeBoth(from, to);
        window.release(WINDOW);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        done.run();
      }
    });
  }

  private void closeBoth(Socket a, Socket b) {
    quietly(a);
    quietly(b);
    open.remove(a);
    open.remove(b);
  }

  private static void quietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // Nothing to do for a socket that will not close.
    }
  }

  /** Bytes read from one side and the time they may be written to the other. */
  private record Chunk(byte[] bytes, long due) {}
}
