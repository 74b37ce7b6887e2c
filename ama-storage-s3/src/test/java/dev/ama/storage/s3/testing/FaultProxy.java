package dev.ama.storage.s3.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fault-injecting HTTP/1.1 proxy for S3 tests: it sits between an S3 client and a server
 * ({@link S3ProxyServer}), forwards each request and its response byte for byte, and breaks the
 * requests its {@link Plan} picks in one of the ways a real network or a real S3 does ({@link
 * Fault}). It counts what it injected and how many attempts the AWS SDK made per call (from the
 * SDK's {@code amz-sdk-request: attempt=N} header), so a test can assert that retries are bounded.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start(s3.endpoint(), Duration.ofSeconds(5))) {
 *   proxy.plan(FaultProxy.Plan.seeded(42, 0.1, EnumSet.allOf(FaultProxy.Fault.class)));
 *   String location = s3.storeUri(bucket, "store", proxy.endpoint()) + "&socketTimeout=1s";
 *   ...
 * }
 * }</pre>
 *
 * <p>Plain blocking sockets, one thread per client connection; requests on a connection are
 * handled one after the other, as HTTP/1.1 clients without pipelining (the SDK) send them. Bodies
 * are forwarded by {@code Content-Length} or chunked framing; {@code Expect: 100-continue} is
 * answered by the proxy itself, so it can refuse a request before its body is sent, as S3 does.
 */
public final class FaultProxy implements AutoCloseable {

  /** A way to break one request. */
  public enum Fault {
    /** Forward the request and its response unchanged. */
    NONE,
    /** Forward the head and half of the request body, then reset both connections (TCP RST). */
    RESET_REQUEST,
    /**
     * Forward the request; then reset the client's connection after half of the response body,
     * or before the response when it has none (the server acted, the client never hears of it).
     */
    RESET_RESPONSE,
    /** Read half of the request body, then neither read nor write until the stall time is over. */
    STALL_REQUEST,
    /**
     * Forward the request; then send half of the response body (or nothing, when it has none) and
     * go silent until the stall time is over.
     */
    STALL_RESPONSE,
    /** Answer {@code 500 InternalError} with S3's XML error body, without forwarding. */
    ERROR_500,
    /** Answer {@code 503 SlowDown} with S3's XML error body, without forwarding. */
    SLOW_DOWN_503,
    /**
     * Forward the request; then send the response head promising its full {@code
     * Content-Length}, half of the body and close the connection normally (TCP FIN). A response
     * without a body is cut inside its head.
     */
    TRUNCATE;

    /** Every fault, without {@link #NONE}. */
    public static Set<Fault> all() {
      return Collections.unmodifiableSet(java.util.EnumSet.complementOf(java.util.EnumSet.of(NONE)));
    }
  }

  /**
   * What a plan sees of a request.
   *
   * @param number the request's number in this proxy's life, from 1
   * @param method the HTTP method
   * @param target the request target, a path with its query
   * @param contentLength the body's declared length; -1 if none was declared
   */
  public record Request(long number, String method, String target, long contentLength) {
    /** The target without its query: {@code /bucket/key}. */
    public String path() {
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }
  }

  /** Decides the fault for each request; called from many connection threads at once. */
  @FunctionalInterface
  public interface Plan {
    /** The fault to inject into this request, {@link Fault#NONE} to forward it unchanged. */
    Fault decide(Request request);

    /** Forwards everything. */
    static Plan none() {
      return r -> Fault.NONE;
    }

    /** Breaks every request the same way: a permanent fault. */
    static Plan always(Fault fault) {
      return r -> fault;
    }

    /** Breaks the first {@code times} requests that match, the same way, then none. */
    static Plan first(int times, Predicate<Request> matching, Fault fault) {
      AtomicInteger left = new AtomicInteger(times);
      return r -> matching.test(r) && left.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? fault : Fault.NONE;
    }

    /**
     * A reproducible storm: each request starts a fault of a kind drawn from {@code kinds} with
     * probability {@code probability}; a quarter of them persist for the next 1 to 8 requests
     * too, so some calls see more failures in a row than the client retries. The same seed and
     * the same sequence of requests give the same faults; concurrent clients interleave requests
     * differently from run to run.
     */
    static Plan seeded(long seed, double probability, Set<Fault> kinds) {
      List<Fault> choices = new ArrayList<>(kinds);
      choices.remove(Fault.NONE);
      Random random = new Random(seed);
      Fault[] burst = {Fault.NONE};
      int[] burstLeft = {0};
      return r -> {
        synchronized (random) {
          if (burstLeft[0] > 0) {
            burstLeft[0]--;
            return burst[0];
          }
          if (choices.isEmpty() || random.nextDouble() >= probability) {
            return Fault.NONE;
          }
          Fault f = choices.get(random.nextInt(choices.size()));
          if (random.nextInt(4) == 0) {
            burst[0] = f;
            burstLeft[0] = 1 + random.nextInt(8);
          }
          return f;
        }
      };
    }
  }

  private static final Pattern ATTEMPT = Pattern.compile("attempt=(\\d+)");
  private static final int MAX_HEAD = 64 * 1024;

  private final ServerSocket listener;
  private final URI upstream;
  private final Duration stall;
  private final ExecutorService threads;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Map<Fault, AtomicInteger> injected = new EnumMap<>(Fault.class);
  private final AtomicLong requests = new AtomicLong();
  private final AtomicInteger maxAttempt = new AtomicInteger();
  private volatile Plan plan = Plan.none();

  private FaultProxy(ServerSocket listener, URI upstream, Duration stall) {
    this.listener = listener;
    this.upstream = upstream;
    this.stall = stall;
    for (Fault f : Fault.values()) {
      injected.put(f, new AtomicInteger());
    }
    AtomicInteger n = new AtomicInteger();
    this.threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fault-proxy-" + listener.getLocalPort() + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    threads.execute(this::accept);
  }

  /**
   * Starts a proxy on a free loopback port in front of {@code upstream} ({@code http://host:port}).
   * A stalled connection stays silent for {@code stall}, then is closed; make it longer than the
   * client's socket timeout.
   */
  public static FaultProxy start(URI upstream, Duration stall) throws IOException {
    ServerSocket listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    return new FaultProxy(listener, upstream, stall);
  }

  /** The proxy's endpoint, {@code http://127.0.0.1:PORT}, to configure the client with. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  /** Replaces the plan; requests already being handled keep the fault they were given. */
  public void plan(Plan plan) {
    this.plan = plan;
  }

  /** How many requests of each kind of fault were injected since start or {@link #resetCounters()}. */
  public Map<Fault, Integer> injected() {
    Map<Fault, Integer> out = new LinkedHashMap<>();
    injected.forEach((f, n) -> {
      if (f != Fault.NONE) {
        out.put(f, n.get());
      }
    });
    return out;
  }

  /** How many faults of any kind were injected. */
  public int injectedTotal() {
    return injected().values().stream().mapToInt(Integer::intValue).sum();
  }

  /** How many requests reached the proxy. */
  public long requests() {
    return requests.get();
  }

  /**
   * The highest attempt number the SDK sent for one call ({@code amz-sdk-request: attempt=N}):
   * 1 if no call was retried, {@code maxAttempts} if some call used every try.
   */
  public int maxAttemptsOfOneCall() {
    return maxAttempt.get();
  }

  /** Sets every counter back to zero. */
  public void resetCounters() {
    injected.values().forEach(n -> n.set(0));
    requests.set(0);
    maxAttempt.set(0);
  }

  /** Stops accepting, closes every connection and ends stalls early. */
  @Override
  public void close() {
    closed.countDown();
    quietly(listener);
    open.forEach(FaultProxy::quietly);
    threads.shutdownNow();
    try {
      threads.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "FaultProxy[" + endpoint() + " -> " + upstream + ", injected " + injected() + "]";
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        threads.execute(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return; // shutting down
      }
    }
  }

  private void serve(Socket client) {
    open.add(client);
    Socket server = null;
    try {
      InputStream clientIn = new BufferedInputStream(client.getInputStream());
      OutputStream clientOut = new BufferedOutputStream(client.getOutputStream());
      InputStream serverIn = null;
      OutputStream serverOut = null;
      while (true) {
        Optional<Head> request = Head.read(clientIn);
        if (request.isEmpty()) {
          return;
        }
        Head req = request.get();
        String[] line = req.startLine.split(" ", 3);
        Request seen = new Request(requests.incrementAndGet(), line[0], line.length > 1 ? line[1] : "", req.contentLength());
        recordAttempt(req);
        Fault fault = plan.decide(seen);
        injected.get(fault).incrementAndGet();
        boolean expectsContinue = req.header("expect").map(v -> v.equalsIgnoreCase("100-continue")).orElse(false);
        if (fault == Fault.ERROR_500 || fault == Fault.SLOW_DOWN_503) {
          if (!expectsContinue) {
            req.body(clientIn, OutputStream.nullOutputStream(), Long.MAX_VALUE);
          }
          clientOut.write(errorResponse(fault, seen));
          clientOut.flush();
          return;
        }
        if (server == null) {
          server = new Socket();
          open.add(server);
          server.connect(new InetSocketAddress(upstream.getHost(), upstream.getPort()), 10_000);
          serverIn = new BufferedInputStream(server.getInputStream());
          serverOut = new BufferedOutputStream(server.getOutputStream());
        }
        if (expectsContinue) {
          clientOut.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          clientOut.flush();
        }
        serverOut.write(req.bytesWithout("expect"));
        long half = Math.max(0, req.contentLength()) / 2;
        if (fault == Fault.RESET_REQUEST || fault == Fault.STALL_REQUEST) {
          req.body(clientIn, serverOut, half);
          serverOut.flush();
          if (fault == Fault.STALL_REQUEST) {
            stall();
          }
          reset(client);
          reset(server);
          return;
        }
        req.body(clientIn, serverOut, Long.MAX_VALUE);
        serverOut.flush();
        Head res = Head.read(serverIn).orElseThrow(() -> new EOFException("the server closed before answering"));
        boolean noBody = line[0].equals("HEAD") || res.status() == 204 || res.status() == 304;
        long length = noBody ? 0 : res.contentLength();
        switch (fault) {
          case RESET_RESPONSE, STALL_RESPONSE, TRUNCATE -> {
            if (length > 0) {
              clientOut.write(res.bytes);
              res.body(serverIn, clientOut, length / 2);
            } else if (fault == Fault.TRUNCATE) {
              clientOut.write(res.bytes, 0, res.bytes.length / 2);
            }
            clientOut.flush();
            if (fault == Fault.STALL_RESPONSE) {
              stall();
            }
            if (fault == Fault.RESET_RESPONSE) {
              reset(client);
            }
            return;
          }
          default -> {
            clientOut.write(res.bytes);
            if (!noBody) {
              res.body(serverIn, clientOut, Long.MAX_VALUE);
            }
            clientOut.flush();
            if (res.header("connection").map(v -> v.equalsIgnoreCase("close")).orElse(false)
                || (!noBody && res.contentLength() < 0 && !res.chunked())) {
              return;
            }
          }
        }
      }
    } catch (IOException e) {
      // The client or the server went away; the connection ends like a real one would.
    } finally {
      quietly(client);
      open.remove(client);
      if (server != null) {
        quietly(server);
        open.remove(server);
      }
    }
  }

  private void recordAttempt(Head req) {
    req.header("amz-sdk-request").ifPresent(v -> {
      Matcher m = ATTEMPT.matcher(v);
      if (m.find()) {
        maxAttempt.accumulateAndGet(Integer.parseInt(m.group(1)), Math::max);
      }
    });
  }

  private void stall() {
    try {
      closed.await(stall.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static byte[] errorResponse(Fault fault, Request request) {
    boolean slowDown = fault == Fault.SLOW_DOWN_503;
    String code = slowDown ? "SlowDown" : "InternalError";
    String message = slowDown ? "Please reduce your request rate." : "We encountered an internal error. Please try again.";
    String id = "FAULT" + request.number();
    String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
        + "</Message><Resource>" + xml(request.path()) + "</Resource><RequestId>" + id + "</RequestId></Error>";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + (slowDown ? "503 Slow Down" : "500 Internal Server Error") + "\r\n"
        + "Content-Type: application/xml\r\n"
        + "Content-Length: " + bytes.length + "\r\n"
        + "x-amz-request-id: " + id + "\r\n"
        + "Connection: close\r\n\r\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(bytes);
    return out.toByteArray();
  }

  private static String xml(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** Closes with a TCP RST rather than a FIN, as a crashed peer or a middlebox does. */
  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (IOException e) {
      // Already closed.
    }
    quietly(s);
  }

  private static void quietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // Nothing to do for a socket that will not close.
    }
  }

  /** The head of an HTTP message (start line and headers) as read, and its framing. */
  private static final class Head {
    final byte[] bytes;
    final String startLine;
    final Map<String, String> headers = new LinkedHashMap<>();

    private Head(byte[] bytes) {
      this.bytes = bytes;
      String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\r\n");
      this.startLine = lines[0];
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
      }
    }

    /** The next head, or empty if the stream ended cleanly before one began. */
    static Optional<Head> read(InputStream in) throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          if (out.size() == 0) {
            return Optional.empty();
          }
          throw new EOFException("connection closed inside an HTTP head");
        }
        out.write(b);
        matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        if (out.size() > MAX_HEAD) {
          throw new IOException("HTTP head longer than " + MAX_HEAD + " bytes");
        }
      }
      return Optional.of(new Head(out.toByteArray()));
    }

    Optional<String> header(String name) {
      return Optional.ofNullable(headers.get(name));
    }

    long contentLength() {
      return header("content-length").map(Long::parseLong).orElse(-1L);
    }

    boolean chunked() {
      return header("transfer-encoding").map(v -> v.toLowerCase(Locale.ROOT).contains("chunked")).orElse(false);
    }

    int status() {
      String[] parts = startLine.split(" ", 3);
      return parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
    }

    /** The head with one header left out. */
    byte[] bytesWithout(String name) {
      StringBuilder sb = new StringBuilder(startLine).append("\r\n");
      for (String line : new String(bytes, StandardCharsets.ISO_8859_1).split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && !line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          sb.append(line).append("\r\n");
        }
      }
      return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Copies up to {@code limit} bytes of the body that follows this head. Only Content-Length
     * bodies can be cut; chunked ones are copied whole, and a body without framing runs to EOF.
     */
    void body(InputStream in, OutputStream out, long limit) throws IOException {
      long length = contentLength();
      if (length >= 0) {
        copy(in, out, Math.min(length, limit));
      } else if (chunked()) {
        copyChunked(in, out);
      } else if (startLine.startsWith("HTTP/")) {
        in.transferTo(out);
      }
    }

    private static void copy(InputStream in, OutputStream out, long n) throws IOException {
      byte[] buffer = new byte[64 * 1024];
      long left = n;
      while (left > 0) {
        int r = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (r < 0) {
          throw new EOFException("connection closed inside an HTTP body");
        }
        out.write(buffer, 0, r);
        left -= r;
      }
    }

    private static void copyChunked(InputStream in, OutputStream out) throws IOException {
      while (true) {
        String sizeLine = line(in, out);
        int semicolon = sizeLine.indexOf(';');
        long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
        if (size == 0) {
          // Trailers, then the empty line that ends the message.
          while (!line(in, out).isEmpty()) {
            // copied
          }
          return;
        }
        copy(in, out, size);
        line(in, out);
      }
    }

    private static String line(InputStream in, OutputStream out) throws IOException {
      StringBuilder sb = new StringBuilder();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new EOFException("connection closed inside a chunked body");
        }
        out.write(b);
        if (b != '\r') {
          sb.append((char) b);
        }
      }
      out.write('\n');
      return sb.toString();
    }
  }
}
