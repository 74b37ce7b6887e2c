package dev.ama.examples.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.AssetClient;
import dev.ama.AssetVersion;
import dev.ama.AssetWatch;
import dev.ama.LoadedAsset;
import dev.ama.WatchOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model server under a request loop while its alias moves: the new version is served within
 * one poll interval (plus a transfer of a few bytes), no request fails during a swap, a version
 * failing the check leaves the old one serving and is reported, and a version a reader acquired
 * stays readable across later swaps until released.
 */
class ModelServerTest {
  private static final Duration POLL = Duration.ofMillis(200);
  /** Scheduling on a loaded 2-core CI machine; the transfer itself is a few bytes on a local disk. */
  private static final Duration SLACK = Duration.ofSeconds(1);

  @TempDir Path tmp;
  private final Map<String, String> contentByVersion = new ConcurrentHashMap<>();
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

  private AssetVersion publish(AssetClient publisher, String content) throws IOException {
    Path f = Files.writeString(Files.createDirectories(tmp.resolve("files")).resolve("model.txt"), content);
    AssetVersion v = publisher.newAsset("models").add(f).alias("prod").upload();
    contentByVersion.put(v.version().toString(), content);
    return v;
  }

  /** Every response the loop got: the version header, or why it failed. */
  private record Answer(long at, String version, String failure) {}

  @Test
  void theServerFollowsTheAliasWithoutAFailedRequestAndRefusesABrokenVersion() throws Exception {
    String store = tmp.resolve("store").toString();
    try (AssetClient publisher = AssetClient.builder().store(store).user("ci").cache(tmp.resolve("ci-cache")).build();
        AssetClient serving = AssetClient.builder().store(store).user("server").cache(tmp.resolve("cache")).build()) {
      AssetVersion v1 = publish(publisher, "weights 1");
      WatchOptions options = WatchOptions.defaults().pollInterval(POLL)
          .check(candidate -> {
            if (Files.readString(candidate.file("model.txt")).startsWith("broken")) {
              throw new IllegalStateException("the model does not load");
            }
          })
          .listener(new AssetWatch.Listener() {
            @Override
            public void moved(LoadedAsset from, LoadedAsset to) {
              events.add("moved to " + to.version());
            }

            @Override
            public void moveFailed(AssetWatch.MoveFailure f) {
              events.add("refused " + f.target() + " " + f.reason() + ": " + f.cause().getMessage());
            }
          });
      try (ModelServer server = ModelServer.start(serving, "models", "prod", options, 0)) {
        List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> loop = List.of(requestLoop(server.uri(), answers, running), requestLoop(server.uri(), answers, running));
        loop.forEach(Thread::start);
        Thread.sleep(300);

        long beforeMove = System.nanoTime();
        AssetVersion v2 = publish(publisher, "weights 2");
        assertEquals("moved to " + v2.version(), next());
        long firstV2 = waitForAnswer(answers, v2);
        Duration lag = Duration.ofNanos(firstV2 - beforeMove);
        assertTrue(lag.compareTo(POLL.plus(SLACK)) <= 0, "v2 served " + lag.toMillis() + " ms after the move");

        AssetVersion broken = publish(publisher, "broken weights");
        assertEquals("refused " + broken.version() + " CHECK_FAILED: the model does not load", next());
        int afterRefusal = answers.size();
        Thread.sleep(POLL.toMillis() * 3);
        assertEquals(v2.version(), server.watch().current().version(), "the old version keeps serving");
        List<Answer> all = snapshot(answers);
        List<Answer> since = all.subList(afterRefusal, all.size());
        assertTrue(!since.isEmpty() && since.stream().allMatch(a -> v2.version().toString().equals(a.version())),
            "every request after the refusal got v2");

        // A reader that acquired v2 keeps its files across two more swaps, until it releases them.
        try (LoadedAsset held = server.watch().acquire()) {
          AssetVersion v4 = publish(publisher, "weights 4");
          assertEquals("moved to " + v4.version(), next());
          AssetVersion v5 = publish(publisher, "weights 5");
          assertEquals("moved to " + v5.version(), next());
          waitForAnswer(answers, v5);
          assertEquals("weights 2", Files.readString(held.file("model.txt")));
        }

        running.set(false);
        for (Thread t : loop) {
          t.join(10_000);
        }
        List<Answer> failed = snapshot(answers).stream().filter(a -> a.failure() != null).toList();
        assertEquals(List.of(), failed, "no request failed during the swaps");
        assertTrue(answers.size() > 50, "the loop ran: " + answers.size() + " requests");
        assertTrue(snapshot(answers).stream().anyMatch(a -> v1.version().toString().equals(a.version())));
      }
    }
  }

  private String next() throws InterruptedException {
    String e = events.poll(20, TimeUnit.SECONDS);
    if (e == null) {
      throw new AssertionError("the watch reported nothing within 20 s");
    }
    return e;
  }

  private static List<Answer> snapshot(List<Answer> answers) {
    synchronized (answers) {
      return new ArrayList<>(answers);
    }
  }

  private static long waitForAnswer(List<Answer> answers, AssetVersion v) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      for (Answer a : snapshot(answers)) {
        if (v.version().toString().equals(a.version())) {
          return a.at();
        }
      }
      Thread.sleep(2);
    }
    throw new AssertionError("no request got " + v.version() + " within 20 s");
  }

  /**
   * Requests the served file over and over; a response is right only if it is 200 and its body is
   * exactly the content of the version its header names.
   */
  private Thread requestLoop(URI base, List<Answer> answers, AtomicBoolean running) {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/files/model.txt")).build();
    Thread t = new Thread(() -> {
      while (running.get()) {
        try {
          HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
          long at = System.nanoTime();
          String version = r.headers().firstValue("X-Ama-Version").orElse(null);
          if (r.statusCode() != 200) {
            answers.add(new Answer(at, version, "status " + r.statusCode() + ": " + r.body()));
          } else if (!r.body().equals(contentByVersion.get(version))) {
            answers.add(new Answer(at, version, "body '" + r.body() + "' is not the content of " + version));
          } else {
            answers.add(new Answer(at, version, null));
          }
        } catch (IOException e) {
          answers.add(new Answer(System.nanoTime(), null, e.toString()));
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "request-loop");
    t.setDaemon(true);
    return t;
  }
}
