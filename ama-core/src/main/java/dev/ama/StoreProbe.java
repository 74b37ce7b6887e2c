package dev.ama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.ProbeReport.Check;
import dev.ama.ProbeReport.Property;
import dev.ama.ProbeReport.Verdict;
import dev.ama.internal.ChildPipe;
import dev.ama.internal.ProbeChild;
import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageCapability;
import dev.ama.spi.StorageKeys;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The store probe ({@code ama doctor}): tries, under {@code probe/<run>/}, the properties AMA
 * relies on, removes what it wrote, and records the verdict at {@link ProbeReport#KEY}. Neither gc
 * nor verify lists {@code probe/}, so a probe running beside them, or one killed half way, is
 * invisible to both. The permission probes write where AMA writes (a blob of random bytes under
 * its own digest, an object under {@code aliases/} that no alias log parses), so that a bucket
 * policy per prefix is what is tried; both are removed again when delete is allowed.
 */
final class StoreProbe {
  static final String PREFIX = "probe/";
  /**
   * Keys whose UTF-16 and UTF-8 orders differ (U+FF21 against a surrogate pair), and '/' against
   * '-' and '0'; no key is another's folder, which a filesystem store cannot hold.
   */
  private static final List<String> ORDER_NAMES = List.of(
      "a", "a-b", "a0", "aa", "b-c", "b/c", "b0", "A", "0", "_", "z", "\u00e9", "\uff21", "\ud83d\ude00", "\ud83d\ude00x");
  private static final Duration CHILD_START = Duration.ofSeconds(90);
  private static final Duration CHILD_ANSWER = Duration.ofSeconds(60);

  private final Store store;
  private final String user;
  private final Clock clock;
  private final Optional<String> ownLocation;

  /**
   * @param ownLocation the location the client was built from, which child processes can open;
   *     empty for a client built around an open storage
   */
  StoreProbe(Store store, String user, Clock clock, Optional<String> ownLocation) {
    this.store = store;
    this.user = user;
    this.clock = clock;
    this.ownLocation = ownLocation;
  }

  private final class Run {
    final ProbeOptions options;
    final Storage storage = store.storage();
    final String base;
    final Set<String> written = java.util.Collections.synchronizedSet(new LinkedHashSet<>());
    final Map<Property, Check> checks = new EnumMap<>(Property.class);
    Optional<Duration> skew = Optional.empty();

    Run(ProbeOptions options) {
      this.options = options;
      byte[] id = new byte[8];
      new SecureRandom().nextBytes(id);
      this.base = PREFIX + HexFormat.of().formatHex(id) + "/";
    }

    void set(Property p, Verdict v, String detail, String meaning) {
      checks.put(p, new Check(p, v, detail, meaning));
    }

    PutOutcome create(String key, byte[] bytes) throws IOException {
      PutOutcome outcome = storage.putIfAbsent(key, Content.ofBytes(bytes));
      written.add(key);
      return outcome;
    }
  }

  ProbeReport run(ProbeOptions options) {
    Run run = new Run(options);
    Set<StorageCapability> caps = run.storage.capabilities();
    boolean writable = caps.contains(StorageCapability.WRITE);
    if (writable) {
      store.checkWritable();
    } else {
      store.checkReadable();
    }
    probeRead(run);
    if (!writable) {
      String why = "the backend is read-only (it declares no WRITE capability)";
      for (Property p : List.of(Property.CREATE_ONLY_THREADS, Property.CREATE_ONLY_PROCESSES, Property.LISTING_COMPLETE,
          Property.READ_AFTER_WRITE, Property.CLOCK, Property.UPLOAD, Property.ALIAS_MOVES, Property.DELETE)) {
        run.set(p, Verdict.UNKNOWN, why, "not tried: this client cannot write, so it can neither upload nor move aliases");
      }
      probeExistingOrder(run);
    } else {
      try {
        probeWrites(run, caps);
        probeThreads(run);
        probeProcesses(run);
        probePermissions(run);
      } finally {
        cleanUp(run);
      }
    }
    List<Check> checks = new ArrayList<>(run.checks.values());
    List<String> leftovers = new ArrayList<>(run.written);
    // Milliseconds, the precision AMA records, so the recorded verdict reads back equal.
    Instant at = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    ProbeReport draft = new ProbeReport(store.location(), user, at, checks, run.skew, leftovers, false);
    boolean recorded = writable && record(draft);
    return new ProbeReport(store.location(), user, at, checks, run.skew, leftovers, recorded);
  }

  // ---- read ----

  private void probeRead(Run run) {
    try (InputStream in = run.storage.open(Store.FORMAT_MARKER)) {
      in.readAllBytes();
      run.set(Property.READ, Verdict.OK, "read " + Store.FORMAT_MARKER, "this client can load and download");
    } catch (IOException | RuntimeException e) {
      run.set(Property.READ, Verdict.BROKEN, "reading " + Store.FORMAT_MARKER + " failed: " + e,
          "this client can neither load nor download; check its credentials and the bucket policy for reads");
    }
  }

  // ---- read after write, listings, clock ----

  private void probeWrites(Run run, Set<StorageCapability> caps) {
    String dir = run.base + "order/";
    List<String> lagging = new ArrayList<>();
    try {
      for (String name : ORDER_NAMES) {
        String key = dir + name;
        byte[] bytes = ("ama probe " + name + "\n").getBytes(StandardCharsets.UTF_8);
        run.create(key, bytes);
        readBack(run, key, bytes).ifPresent(lagging::add);
      }
      // put (create or replace) is how HEAD hints and this verdict are written: read after it too.
      byte[] hint = "2\n".getBytes(StandardCharsets.UTF_8);
      run.storage.put(run.base + "hint", Content.ofBytes("1\n".getBytes(StandardCharsets.UTF_8)));
      run.written.add(run.base + "hint");
      run.storage.put(run.base + "hint", Content.ofBytes(hint));
      readBack(run, run.base + "hint", hint).ifPresent(lagging::add);
    } catch (IOException | RuntimeException e) {
      String why = "writing under " + run.base + " failed: " + e;
      for (Property p : List.of(Property.READ_AFTER_WRITE, Property.LISTING_ORDER, Property.LISTING_ORDER_UNICODE,
          Property.LISTING_COMPLETE, Property.CLOCK)) {
        run.set(p, Verdict.UNKNOWN, why, "not tried: this client could not write the probe's objects");
      }
      return;
    }
    if (lagging.isEmpty()) {
      run.set(Property.READ_AFTER_WRITE, Verdict.OK, ORDER_NAMES.size() + 1 + " objects read back right after writing",
          "an upload's blobs and manifest are there for the alias entry that names them");
    } else {
      run.set(Property.READ_AFTER_WRITE, Verdict.BROKEN, String.join("; ", lagging),
          "a version just uploaded may be unreadable for a while, and an alias log's head may be read stale: a"
              + " reader right after an upload can fail, and a mover can lose a race it should have seen");
    }
    probeListing(run, dir);
    probeClock(run, caps);
  }

  /** Why the object is not readable with its bytes right after its write, if it is not. */
  private static Optional<String> readBack(Run run, String key, byte[] bytes) throws IOException {
    Optional<ObjectInfo> info = run.storage.stat(key);
    if (info.isEmpty()) {
      return Optional.of(key + " was not found right after it was written");
    }
    if (info.get().size() != bytes.length) {
      return Optional.of(key + " reported " + info.get().size() + " bytes, not " + bytes.length);
    }
    try (InputStream in = run.storage.open(key)) {
      byte[] read = in.readAllBytes();
      return Arrays.equals(read, bytes) ? Optional.empty() : Optional.of(key + " read back other bytes");
    } catch (dev.ama.spi.ObjectNotFoundException e) {
      return Optional.of(key + " was not readable right after it was written");
    }
  }

  private static void probeListing(Run run, String dir) {
    List<String> listed;
    try (Stream<ObjectInfo> s = run.storage.list(dir)) {
      listed = s.map(ObjectInfo::key).toList();
    } catch (IOException | RuntimeException e) {
      String why = "listing " + dir + " failed: " + e;
      run.set(Property.LISTING_ORDER, Verdict.UNKNOWN, why, "not tried");
      run.set(Property.LISTING_ORDER_UNICODE, Verdict.UNKNOWN, why, "not tried");
      run.set(Property.LISTING_COMPLETE, Verdict.UNKNOWN, why, "not tried");
      return;
    }
    List<String> expected = ORDER_NAMES.stream().map(n -> dir + n).sorted(StorageKeys.ORDER).toList();
    checkOrder(run, listed.stream().filter(StoreProbe::ascii).toList(), Property.LISTING_ORDER, "the probe's ASCII keys");
    checkOrder(run, listed, Property.LISTING_ORDER_UNICODE, "the probe's " + listed.size() + " keys, some beyond ASCII,");
    List<String> missing = expected.stream().filter(k -> !listed.contains(k)).toList();
    if (missing.isEmpty()) {
      run.set(Property.LISTING_COMPLETE, Verdict.OK, "every one of " + expected.size() + " objects written was listed",
          "gc and verify see every object written before they list");
    } else {
      run.set(Property.LISTING_COMPLETE, Verdict.BROKEN, missing.size() + " of " + expected.size()
              + " objects written were not listed, such as " + missing.get(0),
          "gc cannot tell what uploads wrote meanwhile and refuses to run; verify reports objects missing;"
              + " ama ls and find miss new versions");
    }
  }

  private static boolean ascii(String key) {
    return key.chars().allMatch(c -> c < 0x80);
  }

  private static void checkOrder(Run run, List<String> listed, Property p, String what) {
    boolean mine = p == Property.LISTING_ORDER;
    for (int i = 1; i < listed.size(); i++) {
      // Pairs of ASCII keys are LISTING_ORDER's, so that each verdict names its own kind of key.
      boolean counts = mine || !ascii(listed.get(i - 1)) || !ascii(listed.get(i));
      if (counts && StorageKeys.ORDER.compare(listed.get(i - 1), listed.get(i)) >= 0) {
        run.set(p, Verdict.BROKEN, "listed " + quoted(listed.get(i - 1)) + " before " + quoted(listed.get(i))
                + ", against the order of their UTF-8 bytes",
            mine ? "listings resumed after a key (startAfter, pages) skip or repeat objects: gc and verify can miss"
                + " objects, and a paged ama ls can lose versions"
                : "no harm to AMA, whose keys are ASCII; a program that lists other keys through this backend and"
                + " resumes after a key can skip or repeat objects (the storage SPI requires UTF-8 byte order)");
        return;
      }
    }
    run.set(p, Verdict.OK, what + " were listed in the order of their UTF-8 bytes",
        mine ? "paged listings neither skip nor repeat objects" : "listings of any key resume correctly");
  }

  /** Without writes, the order of what the store already holds is all that can be checked. */
  private static void probeExistingOrder(Run run) {
    try (Stream<ObjectInfo> s = run.storage.list("")) {
      List<String> keys = s.limit(10_000).map(ObjectInfo::key).toList();
      checkOrder(run, keys.stream().filter(StoreProbe::ascii).toList(), Property.LISTING_ORDER, "the store's first keys");
      run.set(Property.LISTING_ORDER_UNICODE, Verdict.UNKNOWN, "the backend is read-only, so no key beyond ASCII"
          + " could be written", "not tried");
    } catch (IOException | RuntimeException e) {
      run.set(Property.LISTING_ORDER, Verdict.UNKNOWN, "listing the store failed: " + e, "not tried");
      run.set(Property.LISTING_ORDER_UNICODE, Verdict.UNKNOWN, "listing the store failed: " + e, "not tried");
    }
  }

  private void probeClock(Run run, Set<StorageCapability> caps) {
    if (!caps.contains(StorageCapability.MODIFICATION_TIMES)) {
      run.set(Property.CLOCK, Verdict.UNKNOWN, "the backend declares no MODIFICATION_TIMES capability",
          "gc refuses this store, since it cannot tell young objects from old ones");
      return;
    }
    String key = run.base + "clock";
    try {
      Instant before = clock.instant();
      run.create(key, new byte[0]);
      Instant after = clock.instant();
      Instant mine = before.plus(Duration.between(before, after).dividedBy(2));
      Instant stat = run.storage.stat(key).map(ObjectInfo::lastModified).orElseThrow(
          () -> new IOException("the probe's clock object " + key + " vanished right after it was written"));
      Instant listed;
      try (Stream<ObjectInfo> s = run.storage.list(key)) {
        listed = s.filter(o -> o.key().equals(key)).findFirst().map(ObjectInfo::lastModified).orElse(stat);
      }
      Duration skew = Duration.between(mine, stat);
      run.skew = Optional.of(skew);
      Duration tolerance = run.options.clockTolerance();
      if (Duration.between(stat, listed).abs().compareTo(tolerance) > 0) {
        run.set(Property.CLOCK, Verdict.BROKEN, "one object's time is " + stat + " when asked for and " + listed
                + " when listed", "gc refuses this store: its times cannot tell young objects from old ones");
      } else if (skew.abs().compareTo(tolerance) > 0) {
        run.set(Property.CLOCK, Verdict.BROKEN, "the store's times are " + describe(skew) + " this machine's clock"
                + " (tolerance " + amount(tolerance) + ")",
            "gc measures ages by the store's own times, so it stays safe; but the times clients record (versions,"
                + " alias moves, leases) disagree with the store's, so ages shown and --keep-since are off by as"
                + " much: set this machine's or the store's clock right (NTP)");
      } else {
        run.set(Property.CLOCK, Verdict.OK, "the store's times are " + describe(skew) + " this machine's clock"
                + " (tolerance " + amount(tolerance) + ")",
            "gc's grace period and the times clients record agree");
      }
    } catch (IOException | RuntimeException e) {
      run.set(Property.CLOCK, Verdict.UNKNOWN, "reading the time of " + key + " failed: " + e, "not tried");
    }
  }

  private static String describe(Duration d) {
    return amount(d) + (d.isNegative() ? " behind" : " ahead of");
  }

  private static String amount(Duration d) {
    long millis = d.abs().toMillis();
    return millis < 1000 ? millis + " ms" : millis < 120_000 ? Math.round(millis / 1000.0) + " s"
        : Math.round(millis / 60_000.0) + " min";
  }

  // ---- create-only races ----

  private static final String NOT_ATOMIC = "create-only not atomic: two uploads of the same alias entry could both"
      + " win, so alias moves are unsafe on this store (a move can silently overwrite another), and two writers"
      + " of one object can leave either's bytes";

  private static void probeThreads(Run run) {
    int threads = run.options.threads();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "ama-probe-writer");
      t.setDaemon(true);
      return t;
    });
    Race race = new Race(run.options.rounds());
    try {
      for (int round = 0; round < run.options.rounds(); round++) {
        String key = run.base + "race/threads-" + round;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> outcomes = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
          String writer = "t" + w;
          outcomes.add(pool.submit(() -> {
            start.await();
            try {
              return run.create(key, ProbeChild.bytesOf(writer)) == PutOutcome.CREATED ? writer : "";
            } catch (IOException | RuntimeException e) {
              return "ERROR " + e;
            }
          }));
        }
        start.countDown();
        List<String> answers = new ArrayList<>();
        for (Future<String> f : outcomes) {
          answers.add(get(f));
        }
        race.round(run, round, key, answers);
      }
    } finally {
      pool.shutdownNow();
    }
    race.verdict(run, Property.CREATE_ONLY_THREADS, threads + " threads");
  }

  private static String get(Future<String> f) {
    try {
      return f.get(CHILD_ANSWER.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return "ERROR " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AmaException("interrupted while probing create-only writes between threads", e);
    }
  }

  /** The tally of rounds: each must have exactly one winner whose bytes the object holds. */
  private static final class Race {
    final int rounds;
    int bad;
    String firstBad;
    String firstError;
    int errors;

    Race(int rounds) {
      this.rounds = rounds;
    }

    /** {@code answers}: the writer's name if it was told CREATED, "" if told it exists, or "ERROR ...". */
    void round(Run run, int round, String key, List<String> answers) {
      List<String> winners = answers.stream().filter(a -> !a.isEmpty() && !a.startsWith("ERROR")).toList();
      List<String> failed = answers.stream().filter(a -> a.startsWith("ERROR")).toList();
      errors += failed.size();
      if (firstError == null && !failed.isEmpty()) {
        firstError = failed.get(0).substring("ERROR ".length());
      }
      String problem = null;
      if (winners.size() > 1) {
        problem = winners.size() + " winners (" + String.join(", ", winners) + ")";
      } else if (winners.isEmpty() && failed.isEmpty()) {
        problem = "no winner";
      } else if (winners.size() == 1) {
        try (InputStream in = run.storage.open(key)) {
          if (!Arrays.equals(in.readAllBytes(), ProbeChild.bytesOf(winners.get(0)))) {
            problem = "the object holds another writer's bytes than the winner's (" + winners.get(0) + ")";
          }
        } catch (IOException | RuntimeException e) {
          problem = "the winner's object is unreadable: " + e;
        }
      }
      if (problem != null) {
        bad++;
        if (firstBad == null) {
          firstBad = problem + " in round " + (round + 1);
        }
      }
    }

    void verdict(Run run, Property p, String who) {
      if (bad > 0) {
        run.set(p, Verdict.BROKEN, bad + " of " + rounds + " rounds between " + who + " went wrong, first: " + firstBad,
            NOT_ATOMIC);
      } else if (errors > 0) {
        run.set(p, Verdict.UNKNOWN, errors + " writes between " + who + " failed, first: " + firstError,
            "not tried to the end: this client may lack the right to write, or the store failed");
      } else {
        run.set(p, Verdict.OK, rounds + " rounds between " + who + ", one winner each, its bytes kept",
            "uploads and alias moves racing each other are safe: exactly one wins each alias entry");
      }
    }
  }

  private void probeProcesses(Run run) {
    int processes = run.options.processes();
    if (processes == 0) {
      run.set(Property.CREATE_ONLY_PROCESSES, Verdict.UNKNOWN, "skipped (0 child processes asked for)", "not tried");
      return;
    }
    Optional<String> location = run.options.childLocation().or(() -> ownLocation);
    if (location.isEmpty()) {
      run.set(Property.CREATE_ONLY_PROCESSES, Verdict.UNKNOWN, "the client was built around an open storage, and no"
          + " ProbeOptions.childStore(location, options) told child processes how to open it", "not tried");
      return;
    }
    Map<String, String> options = run.options.childOptions();
    List<Child> children = new ArrayList<>();
    try {
      for (int i = 0; i < processes; i++) {
        children.add(Child.start(location.get(), options));
      }
      for (Child c : children) {
        String ready = c.answer(CHILD_START);
        if (!ProbeChild.READY.equals(ready)) {
          run.set(Property.CREATE_ONLY_PROCESSES, Verdict.UNKNOWN, "a child process could not open "
              + location.get() + ": " + ready, "not tried");
          return;
        }
      }
      Race race = new Race(run.options.rounds());
      for (int round = 0; round < run.options.rounds(); round++) {
        String key = run.base + "race/processes-" + round;
        run.written.add(key);
        for (int i = 0; i < children.size(); i++) {
          children.get(i).send("PUT " + ChildPipe.encode(key) + " p" + i);
        }
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
          String a = children.get(i).answer(CHILD_ANSWER);
          answers.add(a.equals(PutOutcome.CREATED.name()) ? "p" + i : a.startsWith("ERROR") ? a : "");
        }
        race.round(run, round, key, answers);
      }
      race.verdict(run, Property.CREATE_ONLY_PROCESSES, processes + " processes");
    } catch (IOException e) {
      run.set(Property.CREATE_ONLY_PROCESSES, Verdict.UNKNOWN, "the child processes failed: " + e, "not tried");
    } finally {
      children.forEach(Child::close);
    }
  }

  /** A {@link ProbeChild} in another JVM on this JVM's class path. */
  private static final class Child {
    private final Process process;
    private final BufferedWriter commands;
    private final BufferedReader answers;
    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ama-probe-child-reader");
      t.setDaemon(true);
      return t;
    });

    private Child(Process process) {
      this.process = process;
      this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
      this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    static Child start(String location, Map<String, String> options) throws IOException {
      List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          // Quick to start and small: the child only calls the backend.
          "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k",
          "-cp", System.getProperty("java.class.path"), ProbeChild.class.getName());
      Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      Child c = new Child(p);
      c.send(ChildPipe.encode(location));
      c.send(ChildPipe.encodeOptions(options));
      return c;
    }

    void send(String line) throws IOException {
      commands.write(line);
      commands.write('\n');
      commands.flush();
    }

    String answer(Duration within) {
      Future<String> line = reader.submit(answers::readLine);
      try {
        String a = line.get(within.toMillis(), TimeUnit.MILLISECONDS);
        return a == null ? "ERROR the child process exited" : a;
      } catch (TimeoutException e) {
        line.cancel(true);
        return "ERROR the child process did not answer within " + within;
      } catch (ExecutionException e) {
        return "ERROR " + e.getCause();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AmaException("interrupted while probing create-only writes between processes", e);
      }
    }

    void close() {
      try {
        send("EXIT");
      } catch (IOException ignored) {
        // Gone already; it is destroyed below if not.
      }
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      } finally {
        reader.shutdownNow();
      }
    }
  }

  // ---- permissions ----

  private static void probePermissions(Run run) {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    // A blob under its own digest, as an upload writes it: nothing names it, gc removes it if we cannot.
    String blob = Store.blobKey(Digest.sha256(random));
    permission(run, Property.UPLOAD, blob, random, "this client can upload",
        "this client cannot upload (its bucket policy refuses writes under blobs/); serving machines need no more");
    String alias = StoreLayout.ALIASES + ".probe-" + run.base.substring(PREFIX.length(), run.base.length() - 1);
    permission(run, Property.ALIAS_MOVES, alias, new byte[0], "this client can move aliases",
        "this client cannot move aliases (its bucket policy refuses writes under aliases/)");
  }

  private static void permission(Run run, Property p, String key, byte[] bytes, String allowed, String refused) {
    try {
      run.create(key, bytes);
      run.set(p, Verdict.OK, "a create-only write of " + key + " was allowed", allowed);
    } catch (IOException | RuntimeException e) {
      run.set(p, Verdict.BROKEN, "a create-only write of " + key + " was refused: " + e, refused);
    }
  }

  private static void cleanUp(Run run) {
    String refused = null;
    int deleted = 0;
    for (String key : List.copyOf(run.written)) {
      try {
        run.storage.delete(key);
        run.written.remove(key);
        deleted++;
      } catch (IOException | RuntimeException e) {
        if (refused == null) {
          refused = "deleting " + key + " was refused: " + e;
        }
      }
    }
    if (refused == null && deleted == 0) {
      run.set(Property.DELETE, Verdict.UNKNOWN, "the probe wrote nothing, so it deleted nothing",
          "not tried: this client could not write");
    } else if (refused == null) {
      run.set(Property.DELETE, Verdict.OK, "removed the probe's " + deleted + " objects", "this client can run gc --yes");
    } else {
      run.set(Property.DELETE, Verdict.BROKEN, refused + "; " + run.written.size() + " probe objects are left",
          "this client cannot run gc --yes (writers usually may not delete; a gc role may); what the probe left"
              + " under probe/ is ignored by gc and verify, a blob it left is removed by gc, and an object under"
              + " aliases/ is reported by verify until removed");
    }
  }

  // ---- the recorded verdict ----

  private boolean record(ProbeReport report) {
    try {
      write(report);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private void write(ProbeReport report) throws IOException {
    store.storage().put(ProbeReport.KEY, Content.ofBytes(Manifests.JSON.writeValueAsBytes(toJson(report))));
  }

  Optional<ProbeReport> recorded() {
    return store.readIfExists(ProbeReport.KEY, 1 << 20, "the recorded probe verdict").map(this::parse);
  }

  static ObjectNode toJson(ProbeReport r) {
    ObjectNode n = Manifests.JSON.createObjectNode();
    n.put("location", r.location());
    n.put("by", r.by());
    n.put("at", r.at().toString());
    r.clockSkew().ifPresent(s -> n.put("clockSkewMillis", s.toMillis()));
    ArrayNode checks = n.putArray("checks");
    for (Check c : r.checks()) {
      ObjectNode o = checks.addObject();
      o.put("property", name(c.property()));
      o.put("verdict", c.verdict().name().toLowerCase(java.util.Locale.ROOT));
      o.put("detail", c.detail());
      o.put("meaning", c.meaning());
    }
    ArrayNode left = n.putArray("leftovers");
    r.leftovers().forEach(left::add);
    return n;
  }

  /** A property's name in JSON: {@code create-only-threads}. */
  static String name(Property p) {
    return p.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  private ProbeReport parse(byte[] bytes) {
    try {
      JsonNode n = Manifests.JSON.readTree(bytes);
      List<Check> checks = new ArrayList<>();
      for (JsonNode c : n.path("checks")) {
        // A property or verdict a newer release added is skipped, not an error.
        Optional<Property> p = Arrays.stream(Property.values()).filter(x -> name(x).equals(c.path("property").asText()))
            .findFirst();
        Optional<Verdict> v = Arrays.stream(Verdict.values())
            .filter(x -> x.name().equalsIgnoreCase(c.path("verdict").asText())).findFirst();
        if (p.isPresent() && v.isPresent()) {
          checks.add(new Check(p.get(), v.get(), c.path("detail").asText(), c.path("meaning").asText()));
        }
      }
      List<String> left = new ArrayList<>();
      n.path("leftovers").forEach(x -> left.add(x.asText()));
      Optional<Duration> skew = n.hasNonNull("clockSkewMillis")
          ? Optional.of(Duration.ofMillis(n.get("clockSkewMillis").asLong())) : Optional.empty();
      return new ProbeReport(n.path("location").asText(), n.path("by").asText(), Instant.parse(n.path("at").asText()),
          checks, skew, left, true);
    } catch (IOException | DateTimeParseException | IllegalArgumentException e) {
      throw new IntegrityException(ProbeReport.KEY + " in " + store.location() + " is not a probe verdict AMA can read ("
          + e.getMessage() + "); run ama doctor again to replace it");
    }
  }

  private static String quoted(String key) {
    return "'" + key + "'";
  }
}
