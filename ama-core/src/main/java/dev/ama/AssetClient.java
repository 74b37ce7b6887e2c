package dev.ama;

import dev.ama.spi.ObjectInfo;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point: uploads, downloads and loads asset versions in one store and answers questions
 * about them. Immutable and thread-safe; share one instance. Close it to release its threads and
 * the storage it opened.
 *
 * <pre>{@code
 * AssetClient client = AssetClient.builder().store("s3://bucket/models").user("alice").build();
 * AssetVersion v = client.newAsset("rnn_models").add(dir.resolve("model.h5")).alias("my_model").upload();
 * LoadedAsset loaded = client.load("rnn_models", "my_model");
 * }</pre>
 */
public final class AssetClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AssetClient.class);

  private final Store store;
  private final boolean ownsStorage;
  private final String user;
  private final LocalCache cache;
  private final Clock clock;
  private final ExecutorService executor;
  private final ExecutorService parts;
  private final Transfers transfers;
  private final Queries queries;

  private AssetClient(Builder b, Storage storage, boolean ownsStorage) {
    this.clock = b.clock;
    this.store = new Store(storage, clock);
    this.ownsStorage = ownsStorage;
    this.user = b.user;
    this.cache = new LocalCache(b.cache);
    this.executor = Executors.newFixedThreadPool(b.settings.concurrency(), daemonThreads("ama-transfer-"));
    // Ranges get their own threads: a file task waiting on its ranges must never starve them.
    this.parts = Executors.newFixedThreadPool(
        Math.max(b.settings.rangeParallelism(), b.settings.concurrency()), daemonThreads("ama-range-"));
    this.transfers = new Transfers(store, cache, new HashCache(b.cache), b.settings, b.listener, parts, clock);
    this.queries = new Queries(this, store, transfers::cached, this::manifest);
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** A builder; {@link Builder#store(String)} or {@link Builder#storage(Storage)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The store's location, as shown in messages. */
  public String location() {
    return store.location();
  }

  /** Who this client records as the creator of versions and the mover of aliases. */
  public String user() {
    return user;
  }

  /** The local cache folder. */
  public Path cacheDir() {
    return cache.root();
  }

  // ------------------------------------------------------------------ upload

  /** Starts a new version of an asset type such as {@code rnn_models}. */
  public AssetUpload newAsset(String type) {
    return new AssetUpload(this, type);
  }

  AssetVersion upload(
      String type,
      Map<String, Path> files,
      List<AssetUpload.RefRequest> refRequests,
      Optional<String> alias,
      Optional<String> description,
      Map<String, String> labels) {
    List<Ref> refs = resolveRefs(refRequests);
    List<Transfers.Source> sources = hashAll(files);
    List<AssetFile> assetFiles = sources.stream().map(Transfers.Source::asset).collect(Collectors.toList());

    if (alias.isPresent()) {
      Optional<AssetVersion> same = head(type, alias.get())
          .flatMap(h -> store.readManifest(h.version()))
          .filter(current -> sameContent(current, type, assetFiles, refs, description, labels));
      if (same.isPresent()) {
        LOG.debug("{}/{} already points at identical content {}", type, alias.get(), same.get().version());
        return same.get();
      }
    }
    Optional<AssetVersion> identical = identical(type, assetFiles, refs, description, labels);
    if (identical.isPresent()) {
      // Same content uploaded before, under another alias or none: reuse that version, so equal
      // inputs always have one id and their downstream lineage is found again. Its upload may have
      // crashed among its index markers (it was found through one), so complete them first.
      AssetVersion v = identical.get();
      writeMarkers(indexMarkers(type, v.createdAt(), v.version(),
          v.files().stream().map(AssetFile::digest).distinct().collect(Collectors.toList()), v.refs()));
      alias.ifPresent(a -> store.moveAlias(type, a, v.version(), user));
      return v;
    }
    store.checkFormat(true);

    // 1. blobs: each distinct content once, skipping what the store already has.
    Map<Digest, Transfers.Source> distinct = new LinkedHashMap<>();
    sources.forEach(s -> distinct.putIfAbsent(s.asset().digest(), s));
    TransferListener listener = transfers.listener();
    listener.started(TransferListener.Phase.UPLOADING, distinct.size(),
        distinct.values().stream().mapToLong(s -> s.asset().size()).sum());
    try {
      parallel(distinct.values().stream().map(s -> (Callable<Void>) () -> {
        transfers.uploadBlob(s);
        return null;
      }).collect(Collectors.toList()));
    } finally {
      listener.finished(TransferListener.Phase.UPLOADING);
    }

    // 2. manifest.
    Manifests.Draft draft = new Manifests.Draft(
        type, assetFiles, refs, user, now(), alias, description, labels);
    byte[] canonical = Manifests.write(draft);
    Digest id = store.putManifest(canonical);
    AssetVersion version = Manifests.fromDraft(id, draft);

    // 3. index markers, which only ever point at a manifest that exists.
    writeMarkers(indexMarkers(type, draft.createdAt(), id, distinct.keySet(), refs));

    // 4. the alias move, last: only now can anyone find the version by name.
    alias.ifPresent(a -> store.moveAlias(type, a, id, user));
    cache.saveManifest(id, canonical);
    return version;
  }

  private static List<String> indexMarkers(
      String type, Instant createdAt, Digest id, Collection<Digest> blobs, List<Ref> refs) {
    List<String> markers = new ArrayList<>();
    markers.add(StoreLayout.typeMarker(type));
    markers.add(StoreLayout.versionMarker(type, createdAt, id));
    blobs.forEach(d -> markers.add(StoreLayout.blobUse(d, id)));
    refs.forEach(r -> markers.add(StoreLayout.refUse(r.version(), id)));
    return markers;
  }

  private void writeMarkers(List<String> markers) {
    parallel(markers.stream().map(k -> (Callable<Void>) () -> {
      store.mark(k);
      return null;
    }).collect(Collectors.toList()));
  }

  /**
   * The digests of the files: unchanged ones from the hash cache, on this thread (a lookup is
   * cheaper than handing it to another), the rest hashed in parallel.
   */
  private List<Transfers.Source> hashAll(Map<String, Path> files) {
    List<Map.Entry<String, Path>> entries = new ArrayList<>(files.entrySet());
    List<HashCache.Stamp> stamps = new ArrayList<>();
    long total = 0;
    for (Map.Entry<String, Path> e : entries) {
      HashCache.Stamp stamp = Transfers.stamp(e.getValue());
      stamps.add(stamp);
      total += stamp.size();
    }
    TransferListener listener = transfers.listener();
    listener.started(TransferListener.Phase.HASHING, entries.size(), total);
    try {
      Transfers.Source[] sources = new Transfers.Source[entries.size()];
      List<Callable<Void>> misses = new ArrayList<>();
      for (int i = 0; i < entries.size(); i++) {
        int n = i;
        String pathInAsset = entries.get(i).getKey();
        Path file = entries.get(i).getValue();
        Optional<Transfers.Source> known = transfers.known(pathInAsset, file, stamps.get(i));
        if (known.isPresent()) {
          sources[i] = known.get();
        } else {
          misses.add(() -> {
            sources[n] = transfers.hash(pathInAsset, file, stamps.get(n));
            return null;
          });
        }
      }
      parallel(misses);
      return List.of(sources);
    } finally {
      transfers.saveHashes();
      listener.finished(TransferListener.Phase.HASHING);
    }
  }

  /** Milliseconds are plenty for people and keep manifests short and portable. */
  private java.time.Instant now() {
    return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  private List<Ref> resolveRefs(List<AssetUpload.RefRequest> requests) {
    List<Ref> refs = new ArrayList<>();
    for (AssetUpload.RefRequest r : requests) {
      Digest target = r.version().orElseGet(() -> require(r.type(), r.alias().orElseThrow()).version());
      if (r.version().isPresent() && !store.hasManifest(target)) {
        throw new NotFoundException("cannot ref " + r.type() + "@" + target.shortHex() + ": no such version in "
            + location() + "; upload it to this store first");
      }
      Ref ref = new Ref(r.type(), r.alias(), target);
      if (refs.stream().noneMatch(x -> x.type().equals(ref.type()) && x.version().equals(ref.version()))) {
        refs.add(ref);
      }
    }
    return refs;
  }

  /**
   * A stored version of the type with exactly this content, found through the content index of
   * its largest file (the least likely to be shared), or empty.
   */
  private Optional<AssetVersion> identical(String type, List<AssetFile> files, List<Ref> refs,
      Optional<String> description, Map<String, String> labels) {
    if (!store.canList() || !store.exists()) {
      return Optional.empty();
    }
    AssetFile largest = files.stream().max(Comparator.comparingLong(AssetFile::size)).orElseThrow();
    List<Digest> candidates = new ArrayList<>();
    try (Stream<ObjectInfo> s = store.list(StoreLayout.blobUsesOf(largest.digest()))) {
      s.forEach(o -> candidates.add(StoreLayout.digestAtEnd(o.key())));
    }
    return candidates.stream()
        .map(this::manifest)
        .filter(v -> sameContent(v, type, files, refs, description, labels))
        .findFirst();
  }

  private static boolean sameContent(
      AssetVersion current, String type, List<AssetFile> files, List<Ref> refs,
      Optional<String> description, Map<String, String> labels) {
    Comparator<AssetFile> byPath = Comparator.comparing(AssetFile::path);
    return current.type().equals(type)
        && sorted(current.files(), byPath).equals(sorted(files, byPath))
        && refKeys(current.refs()).equals(refKeys(refs))
        && current.description().equals(description)
        && current.labels().equals(labels);
  }

  private static <T> List<T> sorted(Collection<T> items, Comparator<T> order) {
    return items.stream().sorted(order).collect(Collectors.toList());
  }

  private static Set<String> refKeys(List<Ref> refs) {
    return refs.stream().map(r -> r.type() + "@" + r.version()).collect(Collectors.toSet());
  }

  // ------------------------------------------------------------------ reading

  /** Where an alias points now, or empty if it has never been set. */
  public Optional<AliasEntry> alias(String type, String alias) {
    return head(Names.checkType(type), Names.checkAlias(alias));
  }

  private Optional<AliasEntry> head(String type, String alias) {
    return store.head(type, alias);
  }

  /**
   * The version a selector names: {@code alias} (where it points now), {@code alias@N} (its N-th
   * history entry), {@code alias@latest}, {@code sha256:<hex>}, or a unique prefix of at least 8
   * hex digits. An existing alias wins over a digest prefix spelled the same.
   *
   * @throws NotFoundException if nothing matches; the message lists near names
   * @throws InvalidInputException if the selector is malformed, a prefix is ambiguous (the
   *     message lists the candidates), or the version is of another type
   */
  public AssetVersion version(String type, String selector) {
    return queries.resolve(type, selector);
  }

  /**
   * A version by id.
   *
   * @throws NotFoundException if the store has no such version
   */
  public AssetVersion version(Digest id) {
    return manifest(id);
  }

  private AssetVersion manifest(Digest id) {
    Optional<AssetVersion> cached = cache.manifest(id);
    if (cached.isPresent()) {
      return cached.get();
    }
    byte[] bytes = store.readManifestBytes(id).orElseThrow(() -> new NotFoundException(
        "no version " + id + " in " + location() + "; check the id, or the store location"));
    AssetVersion v = Manifests.read(id, bytes, location());
    cache.saveManifest(id, bytes);
    return v;
  }

  /** Every move of an alias, oldest first: entry {@code i} has {@code seq == i + 1}. */
  public List<AliasEntry> history(String type, String alias) {
    Names.checkType(type);
    Names.checkAlias(alias);
    List<AliasEntry> entries = store.history(type, alias);
    if (entries.isEmpty()) {
      throw notFound(type, alias);
    }
    return entries;
  }

  /** The asset types in the store, sorted. Needs a storage that can list. */
  public List<String> types() {
    return store.childNames(StoreLayout.TYPES_INDEX);
  }

  /** The current entry of every alias of a type, sorted by alias. Needs a storage that can list. */
  public List<AliasEntry> aliases(String type) {
    Names.checkType(type);
    List<AliasEntry> out = new ArrayList<>();
    for (String a : store.childNames(StoreLayout.ALIASES_INDEX + type + "/")) {
      head(type, a).ifPresent(out::add);
    }
    return out;
  }

  /** The aliases of the version's type that point at it now, sorted. Needs a storage that can list. */
  public List<String> aliasesOf(AssetVersion version) {
    return store.aliasesPointingAt(version.version()).stream()
        .filter(ta -> ta[0].equals(version.type()))
        .map(ta -> ta[1])
        .sorted()
        .collect(Collectors.toList());
  }

  /** The types that have an alias of this name, sorted. Needs a storage that can list. */
  public List<String> typesWithAlias(String alias) {
    Names.checkAlias(alias);
    return types().stream()
        .filter(t -> store.stat(StoreLayout.aliasMarker(t, alias)).isPresent())
        .collect(Collectors.toList());
  }

  /** The versions of a type, newest first. Needs a storage that can list. */
  public List<AssetVersion> versions(String type) {
    return queries.versions(type, VersionFilter.all());
  }

  /**
   * The versions of a type that pass a filter, newest first. A time window is answered from the
   * index; creator and label filters read the manifests of the versions they examine.
   */
  public List<AssetVersion> versions(String type, VersionFilter filter) {
    return queries.versions(type, Objects.requireNonNull(filter, "filter"));
  }

  /**
   * Every version, of any type, holding a file with exactly these bytes under any path, newest
   * first, answered from the content index. Needs a storage that can list.
   */
  public List<FileMatch> find(Digest content) {
    return queries.find(Objects.requireNonNull(content, "content"));
  }

  /** Every version holding a file identical to a local file, whatever its name. */
  public List<FileMatch> find(Path localFile) {
    if (!Files.isRegularFile(localFile)) {
      throw new InvalidInputException("file '" + localFile + "' does not exist or is not a regular file; give a file to look for");
    }
    try (InputStream in = Files.newInputStream(localFile)) {
      return find(Digest.sha256(in));
    } catch (IOException e) {
      throw new InvalidInputException("cannot read " + localFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * What changed from one version to another: files added, removed, changed and renamed, and for
   * YAML and JSON files the parameters that changed. Versions of different types may be compared;
   * {@link AssetDiff#typesDiffer()} says so.
   */
  public AssetDiff diff(AssetVersion from, AssetVersion to) {
    return queries.diff(from, to);
  }

  /**
   * The parameters of several versions side by side: every YAML and JSON file's keys, or only
   * those of {@code file}, with keys whose values differ first.
   */
  public Comparison compare(List<AssetVersion> versions, Optional<String> file) {
    return queries.compare(versions, file);
  }

  /**
   * The versions a version was made from ({@link LineageGraph.Direction#UPSTREAM}, through its refs)
   * or that were made from it ({@link LineageGraph.Direction#DOWNSTREAM}, through the ref index),
   * transitively up to {@code maxDepth} refs away.
   */
  public LineageGraph lineage(AssetVersion root, LineageGraph.Direction direction, int maxDepth) {
    return queries.lineage(root, Objects.requireNonNull(direction, "direction"), maxDepth);
  }

  AliasEntry require(String type, String alias) {
    return head(type, alias).orElseThrow(() -> notFound(type, alias));
  }

  NotFoundException notFound(String type, String alias) {
    if (!store.exists()) {
      return new NotFoundException("no alias " + type + "/" + alias + ": the store " + location()
          + " is empty. Upload an asset first, or check the store location (--store, AMA_STORE)");
    }
    if (!store.canList()) {
      return new NotFoundException("no alias " + type + "/" + alias + " in " + location());
    }
    List<String> types = types();
    if (!types.contains(type)) {
      return new NotFoundException("no asset type '" + type + "' in " + location() + suggestions("types", type, types));
    }
    List<String> names = store.childNames(StoreLayout.ALIASES_INDEX + type + "/");
    List<String> elsewhere = typesWithAlias(alias);
    String other = elsewhere.isEmpty() ? "" : "; an alias of that name exists for type " + String.join(", ", elsewhere);
    return new NotFoundException("no alias '" + alias + "' for asset type '" + type + "' in " + location()
        + suggestions("aliases", alias, names) + other);
  }

  /** A hint naming the names closest to the one not found, or some existing ones. */
  static String suggestions(String what, String wanted, List<String> names) {
    if (names.isEmpty()) {
      return "; there are no " + what + " yet";
    }
    String near = NearNames.didYouMean(wanted, names);
    if (!near.isEmpty()) {
      return near;
    }
    List<String> some = names.stream().limit(10).collect(Collectors.toList());
    return ". Existing " + what + ": " + String.join(", ", some) + (names.size() > some.size() ? ", ..." : "");
  }

  // ------------------------------------------------------------------ download and load

  /**
   * Starts a download of the version a selector names: usually an alias, or any form {@link
   * #version(String, String)} accepts.
   */
  public AssetDownload download(String type, String selector) {
    return new AssetDownload(this, type, selector);
  }

  /**
   * The version an alias points at, on local disk: fetched into the local cache once, then served
   * from it. If the store cannot be reached, the last version this machine loaded for the alias
   * is served from the cache, so a server can start offline.
   */
  public LoadedAsset load(String type, String alias) {
    Names.checkType(type);
    Names.checkAlias(alias);
    AssetVersion v;
    try {
      v = manifest(require(type, alias).version());
    } catch (StoreException e) {
      Optional<AssetVersion> known = cache.rememberedAlias(location(), type, alias).flatMap(cache::manifest);
      if (known.isEmpty()) {
        throw e;
      }
      LOG.warn("store {} unreachable ({}); serving the last loaded version {} of {}/{} from the local cache",
          location(), e.getMessage(), known.get().version(), type, alias);
      return new LoadedAsset(known.get(), cache.versionFolder(known.get(), transfers::openBlob, location()));
    }
    TransferListener listener = transfers.listener();
    listener.started(TransferListener.Phase.DOWNLOADING, v.files().size(), v.size());
    try {
      parallel(v.files().stream().map(f -> (Callable<Path>) () -> transfers.cached(f)).collect(Collectors.toList()));
    } finally {
      listener.finished(TransferListener.Phase.DOWNLOADING);
    }
    Path dir = cache.versionFolder(v, transfers::openBlob, location());
    cache.rememberAlias(location(), type, alias, v.version());
    return new LoadedAsset(v, dir);
  }

  /** One version to write into one folder. */
  private record Placement(AssetVersion version, Path folder) {}

  Path downloadTo(String type, String selector, boolean withRefs, boolean force, Path folder) {
    AssetVersion main = version(type, selector);
    List<Placement> plan = new ArrayList<>();
    plan.add(new Placement(main, folder));
    if (withRefs) {
      planRefs(main, folder.resolve("refs"), plan);
    }
    // Check every target before writing anything, so a refused download changes nothing.
    List<String> conflicts = new ArrayList<>();
    Map<Path, String> planned = new java.util.HashMap<>();
    for (Placement p : plan) {
      for (AssetFile f : p.version().files()) {
        Path dest = AssetPaths.resolve(p.folder(), f.path());
        String previous = planned.putIfAbsent(dest.toAbsolutePath().normalize(), p.version() + " " + f.path());
        if (previous != null) {
          throw new ConflictException("cannot download " + main + " with its refs into " + folder + ": "
              + previous + " and " + p.version() + " " + f.path() + " would both be written to "
              + folder.relativize(dest) + ". Nothing was written; download the refs separately");
        }
        if (Files.exists(dest) && !Transfers.holds(dest, f)) {
          conflicts.add(folder.relativize(dest).toString());
        }
      }
    }
    if (!conflicts.isEmpty() && !force) {
      throw new ConflictException("download folder " + folder + " already holds different files: "
          + conflicts.stream().limit(5).collect(Collectors.joining(", "))
          + (conflicts.size() > 5 ? " and " + (conflicts.size() - 5) + " more" : "")
          + ". Nothing was written; download into another folder, or allow overwriting them (ama download --force; force() in the API)");
    }
    List<Callable<Void>> tasks = new ArrayList<>();
    long bytes = 0;
    for (Placement p : plan) {
      for (AssetFile f : p.version().files()) {
        bytes += f.size();
        tasks.add(() -> {
          transfers.place(f, AssetPaths.resolve(p.folder(), f.path()));
          return null;
        });
      }
    }
    TransferListener listener = transfers.listener();
    listener.started(TransferListener.Phase.DOWNLOADING, tasks.size(), bytes);
    try {
      parallel(tasks);
    } finally {
      listener.finished(TransferListener.Phase.DOWNLOADING);
    }
    return folder;
  }

  /** Lays out refs transitively, each version once, under {@code refs/<type>/<alias>/}. */
  private void planRefs(AssetVersion root, Path refsFolder, List<Placement> plan) {
    Set<Digest> seen = new HashSet<>();
    seen.add(root.version());
    Set<Path> used = new HashSet<>();
    Deque<AssetVersion> todo = new ArrayDeque<>();
    todo.add(root);
    while (!todo.isEmpty()) {
      for (Ref r : todo.poll().refs()) {
        if (!seen.add(r.version())) {
          continue;
        }
        AssetVersion v = manifest(r.version());
        String name = r.alias().orElse(r.version().shortHex());
        Path dir = refsFolder.resolve(r.type()).resolve(name);
        if (!used.add(dir)) {
          dir = refsFolder.resolve(r.type()).resolve(name + "@" + r.version().shortHex());
          used.add(dir);
        }
        plan.add(new Placement(v, dir));
        todo.add(v);
      }
    }
  }

  // ------------------------------------------------------------------ plumbing

  /** Runs tasks on the transfer threads and returns their results in order, or the first failure. */
  private <T> List<T> parallel(List<Callable<T>> tasks) {
    if (tasks.size() == 1) {
      try {
        List<T> one = new ArrayList<>();
        one.add(tasks.get(0).call());
        return one;
      } catch (Exception e) {
        throw rethrow(e);
      }
    }
    Running running = new Running();
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> t : tasks) {
      futures.add(executor.submit(() -> {
        if (!running.enter()) {
          return null;
        }
        try {
          return t.call();
        } finally {
          running.exit();
        }
      }));
    }
    List<T> out = new ArrayList<>();
    try {
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } catch (ExecutionException e) {
      stop(futures, running);
      throw rethrow(e.getCause());
    } catch (InterruptedException e) {
      stop(futures, running);
      Thread.currentThread().interrupt();
      throw new AmaException("interrupted", e);
    }
  }

  /**
   * Cancels the other tasks and waits for those already running to finish, so their clean-up
   * (temporary files) is done before the failure reaches a caller that may exit the JVM.
   */
  private static void stop(List<? extends Future<?>> futures, Running running) {
    running.stop();
    futures.forEach(f -> f.cancel(true));
    running.awaitIdle(java.time.Duration.ofSeconds(30));
  }

  /** Counts the tasks of one parallel() call that are running; stopped, it lets no more start. */
  private static final class Running {
    private int count;
    private boolean stopped;

    synchronized boolean enter() {
      if (stopped) {
        return false;
      }
      count++;
      return true;
    }

    synchronized void exit() {
      count--;
      notifyAll();
    }

    synchronized void stop() {
      stopped = true;
    }

    synchronized void awaitIdle(java.time.Duration max) {
      long deadline = System.nanoTime() + max.toNanos();
      try {
        while (count > 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return;
          }
          wait(Math.max(1, left / 1_000_000));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private RuntimeException rethrow(Throwable t) {
    if (t instanceof UncheckedIOException u) {
      return store.failure("transfer", u.getCause());
    }
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    if (t instanceof IOException io) {
      return new StoreException("I/O failed: " + io.getMessage() + " (store " + location() + ")", io);
    }
    return new AmaException(t.toString(), t);
  }

  /** Stops the transfer threads and closes the storage if this client opened it. */
  @Override
  public void close() {
    executor.shutdownNow();
    parts.shutdownNow();
    if (ownsStorage) {
      try {
        store.storage().close();
      } catch (IOException e) {
        LOG.debug("closing {} failed: {}", location(), e.toString());
      }
    }
  }

  @Override
  public String toString() {
    return "AssetClient[" + location() + ", user " + user + "]";
  }

  /**
   * Configures an {@link AssetClient}. Each setter validates at once; {@link #build()} needs a
   * store.
   */
  public static final class Builder {
    private String location;
    private Storage storage;
    private String user = defaultUser();
    private Path cache = defaultCache();
    private Clock clock = Clock.systemUTC();
    private TransferSettings settings = TransferSettings.DEFAULTS;
    private TransferListener listener = TransferListener.NONE;

    private Builder() {}

    /**
     * The store: a plain path or a URI such as {@code s3://bucket/prefix} or {@code mem:test}.
     *
     * @throws InvalidInputException if the location is not a valid path or URI
     */
    public Builder store(String location) {
      try {
        Storages.toUri(location);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(e.getMessage(), e);
      }
      this.location = location;
      this.storage = null;
      return this;
    }

    /** An already-open storage, such as a custom backend; the caller keeps ownership and closes it. */
    public Builder storage(Storage storage) {
      this.storage = Objects.requireNonNull(storage, "storage");
      this.location = null;
      return this;
    }

    /** Who is recorded as creator and alias mover; defaults to {@code AMA_USER}, else the OS user. */
    public Builder user(String user) {
      if (user == null || user.isBlank()) {
        throw new InvalidInputException("user name is empty; give a name such as alice");
      }
      this.user = user;
      return this;
    }

    /** The local cache folder; defaults to {@code AMA_CACHE}, else {@code ~/.cache/ama}. */
    public Builder cache(Path cache) {
      this.cache = Objects.requireNonNull(cache, "cache").toAbsolutePath();
      return this;
    }

    /** The clock stamping versions and alias moves; for tests. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How many files are hashed, uploaded or downloaded at once; at least 1. */
    public Builder concurrency(int concurrency) {
      this.settings = settings.withConcurrency(concurrency);
      return this;
    }

    /** Threads, part sizes and ranges; see {@link TransferSettings}. */
    public Builder transfers(TransferSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** Hears progress of uploads, downloads and loads, for progress bars. */
    public Builder listener(TransferListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Opens the store and builds the client.
     *
     * @throws InvalidInputException if no store was given or its location is malformed
     * @throws StoreException if the storage cannot be opened
     */
    public AssetClient build() {
      if (storage != null) {
        return new AssetClient(this, storage, false);
      }
      if (location == null) {
        throw new InvalidInputException("no store given; call store(\"/path/or/uri\") or storage(...) on the builder");
      }
      try {
        return new AssetClient(this, Storages.open(location), true);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(e.getMessage(), e);
      } catch (IOException e) {
        throw new StoreException("could not open store " + location + ": " + e.getMessage(), e);
      }
    }

    private static String defaultUser() {
      String env = System.getenv("AMA_USER");
      return env != null && !env.isBlank() ? env : System.getProperty("user.name", "unknown");
    }

    private static Path defaultCache() {
      String env = System.getenv("AMA_CACHE");
      return env != null && !env.isBlank()
          ? Path.of(env).toAbsolutePath()
          : Path.of(System.getProperty("user.home"), ".cache", "ama");
    }
  }
}
