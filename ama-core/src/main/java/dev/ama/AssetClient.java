package dev.ama;

import dev.ama.spi.Storage;
import dev.ama.spi.StorageCredentialsException;
import dev.ama.spi.StorageProvider;
import dev.ama.spi.Storages;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
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
 *
 * <p>Selectors name a version: {@code alias} (where it points now), {@code alias@N} (its N-th
 * history entry), {@code alias@latest}, {@code sha256:<hex>}, or a unique prefix of at least 8 hex
 * digits. An existing alias wins over a digest prefix spelled the same.
 *
 * <p>Errors are {@link AmaException}s classified by where they happened: {@link
 * InvalidInputException} (the request), {@link NotFoundException} (with near names), {@link
 * ConflictException} (a download folder holding other files), {@link IntegrityException} (bytes
 * that do not match their digest), {@link StoreException} (the store) and {@link
 * LocalFileException} (a local file, the download folder or the local cache). A location without
 * an AMA store's format marker is not an empty store but a {@link StoreException}; only an upload
 * creates a store, and only in an empty location. Listing queries
 * need a storage that can list; read-only mirrors without listing still resolve and download.
 */
public final class AssetClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AssetClient.class);

  private final Store store;
  private final boolean ownsStorage;
  private final String user;
  private final LocalCache cache;
  private final Tasks tasks;
  private final Queries queries;
  private final Comparisons comparisons;
  private final Publisher publisher;
  private final Downloader downloader;
  private final AliasMoves aliasMoves;
  private final Verifier verifier;
  private final Collector collector;
  private final CacheAdmin cacheAdmin;
  private final Clock clock;
  private final Signatures signatures;
  private final TrustGate trust;
  private final StoreProbe probe;
  private final ContentTable contentTable;
  private final Migration migration;

  private AssetClient(Builder b, Storage storage, boolean ownsStorage) {
    this.store = new Store(storage, b.newStoreFormat);
    this.ownsStorage = ownsStorage;
    this.user = b.user;
    this.cache = new LocalCache(b.cache, b.cacheMax);
    this.tasks = new Tasks(b.settings);
    UploadRecords records = new UploadRecords(store);
    this.contentTable = new ContentTable(store, records, tasks);
    StoreIndex index = new StoreIndex(store, tasks, contentTable);
    AliasLog aliases = new AliasLog(store, index, b.clock);
    this.queries = new Queries(store, index, aliases, cache);
    BlobLocator locator = new BlobLocator(store, records, contentTable, queries::ifStored);
    Transfers transfers = new Transfers(store, cache, new HashCache(b.cache), b.settings, b.listener, tasks.ranges(),
        b.clock, locator);
    this.comparisons = new Comparisons(transfers::cached);
    Leases leases = new Leases(store, user, b.clock);
    this.signatures = new Signatures(store);
    this.trust = new TrustGate(b.trust, signatures, store.location());
    this.publisher = new Publisher(store, index, aliases, queries, transfers, tasks, cache, leases, user, b.clock, signatures,
        new Packs(store, transfers, tasks, b.settings.concurrency()), records, contentTable);
    this.collector = new Collector(store, aliases, leases, tasks, b.clock);
    this.downloader = new Downloader(queries, transfers, tasks, cache, store.location(), b.verifyLoads, b.clock, trust);
    this.aliasMoves = new AliasMoves(store, aliases, queries, leases, user);
    this.verifier = new Verifier(store, index, aliases, tasks, b.listener);
    this.cacheAdmin = new CacheAdmin(cache, queries::resolve, downloader::fetchIntoCache);
    this.clock = b.clock;
    this.migration = new Migration(store, records, queries::ifStored, tasks);
    this.probe = new StoreProbe(store, user, b.clock, Optional.ofNullable(ownsStorage ? b.location : null));
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

  /**
   * The local cache: its versions, size and cap, pins, pruning and a check of its bytes. The
   * cache may be shared with other processes using the same folder.
   */
  public CacheAdmin cache() {
    return cacheAdmin;
  }

  // ------------------------------------------------------------------ upload

  /** Starts a new version of an asset type such as {@code rnn_models}. */
  public AssetUpload newAsset(String type) {
    return new AssetUpload(publisher, type);
  }

  // ------------------------------------------------------------------ signatures

  /**
   * Signs a version already stored with a key: a DSSE envelope whose in-toto statement names every
   * file with its SHA-256 and the version's id and type, stored create-only beside the manifest
   * (docs/trust.md). Signing again with the same key writes nothing.
   *
   * @return whether a new signature was written
   * @throws NotFoundException if the version is not in this client's store
   * @throws IntegrityException if the key's signature object exists but is not its valid signature
   */
  public boolean sign(AssetVersion version, SigningKey key) {
    Objects.requireNonNull(key, "key");
    return signatures.sign(queries.requireStored(Objects.requireNonNull(version, "version")), key);
  }

  /**
   * The signatures a version carries, each checked if this client's {@link TrustPolicy} knows its
   * key. Needs a store that can list; a mirror that cannot reports only the policy's keys' signatures.
   */
  public List<VersionSignature> signatures(AssetVersion version) {
    return SignatureAudit.signaturesOf(signatures, trust.policy(), Objects.requireNonNull(version, "version"));
  }

  /**
   * The version a selector names, checked against this client's trust policy as {@link #download}
   * and {@link #load} check it (for an alias, its head entry too): for callers that resolve once and
   * then download the very version with {@link #download(AssetVersion)}.
   *
   * @throws UntrustedException if the policy refuses the version or the alias's move
   * @see #version(String, String) for the other failures
   */
  public AssetVersion trustedVersion(String type, String selector) {
    Names.checkType(type);
    return downloader.resolveTrusted(type, Objects.requireNonNull(selector, "selector"));
  }

  /** The trust policy this client applies before writing a version's bytes; {@link TrustPolicy#none()} by default. */
  public TrustPolicy trustPolicy() {
    return trust.policy();
  }

  /**
   * Checks every version's signatures and every alias head against a trust policy: what a client
   * with that policy would refuse to load, without loading anything. Problems are reported, not
   * thrown.
   *
   * @throws InvalidInputException if the store cannot list
   */
  public SignatureReport verifySignatures(TrustPolicy policy) {
    return new SignatureAudit(store, signatures, queries, Objects.requireNonNull(policy, "policy")).run();
  }

  // ------------------------------------------------------------------ reading

  /**
   * The head entry of an alias: where it points now, or, if it was removed, the removal ({@link
   * AliasEntry#removed()}); empty if it has never been set.
   */
  public Optional<AliasEntry> alias(String type, String alias) {
    return queries.head(Names.checkType(type), Names.checkAlias(alias));
  }

  /**
   * The version a selector names (see the class description).
   *
   * @throws NotFoundException if nothing matches; the message lists near names
   * @throws InvalidInputException if the selector is malformed, a prefix is ambiguous (the
   *     message lists the candidates), or the version is of another type
   */
  public AssetVersion version(String type, String selector) {
    return queries.resolve(type, selector);
  }

  /**
   * A version of any type by {@code sha256:<hex>}, a full hex digest, or a unique prefix of at
   * least 8 hex digits, for when a digest is all the caller has.
   *
   * @throws NotFoundException if no version has that digest or prefix
   * @throws InvalidInputException if the digest is malformed or the prefix is ambiguous (the
   *     message lists the candidates)
   */
  public AssetVersion versionByDigest(String digestOrPrefix) {
    return queries.byDigest(digestOrPrefix);
  }

  /**
   * A version by id.
   *
   * @throws NotFoundException if the store has no such version
   */
  public AssetVersion version(Digest id) {
    return queries.byId(Objects.requireNonNull(id, "id"));
  }

  /**
   * Every move of an alias, oldest first: entry {@code i} has {@code seq == i + 1}.
   *
   * @throws NotFoundException if the alias was never set
   */
  public List<AliasEntry> history(String type, String alias) {
    return queries.history(Names.checkType(type), Names.checkAlias(alias));
  }

  /**
   * Every move of an alias, oldest first, each with whether garbage collection has removed the
   * version it names (a retention policy let it go). One request per distinct version.
   *
   * @throws NotFoundException if the alias was never set
   */
  public List<HistoryEntry> historyStatus(String type, String alias) {
    return queries.historyStatus(Names.checkType(type), Names.checkAlias(alias));
  }

  /** The asset types in the store, sorted. */
  public List<String> types() {
    return queries.types();
  }

  /** The head entry of every alias of a type that points at a version now, sorted by alias. */
  public List<AliasEntry> aliases(String type) {
    return queries.aliases(Names.checkType(type));
  }

  /**
   * The name of every alias a type has had, pointing or removed, sorted, from one listing of the
   * index and without reading any alias log: for a view that shows a page of a type's aliases and
   * reads only those with {@link #alias(String, String)}.
   */
  public List<String> aliasNames(String type) {
    return queries.aliasNames(Names.checkType(type));
  }

  /** The removal entry of every removed alias of a type (its log ends with a removal), sorted by alias. */
  public List<AliasEntry> removedAliases(String type) {
    return queries.removedAliases(Names.checkType(type));
  }

  /** The aliases of the version's type that point at it now, sorted. */
  public List<String> aliasesOf(AssetVersion version) {
    return queries.aliasesOf(version);
  }

  /** The types that have an alias of this name, sorted. */
  public List<String> typesWithAlias(String alias) {
    return queries.typesWithAlias(Names.checkAlias(alias));
  }

  /** The versions of a type, newest first. */
  public List<AssetVersion> versions(String type) {
    return versions(type, VersionFilter.all());
  }

  /**
   * The versions of a type that pass a filter, newest first. A time window is answered from the
   * index; creator and label filters read the manifests of the versions they examine.
   *
   * @throws IntegrityException if the manifest of a version examined is missing or damaged
   */
  public List<AssetVersion> versions(String type, VersionFilter filter) {
    return versions(type, filter, e -> {
      throw e;
    });
  }

  /**
   * The versions of a type that pass a filter, newest first, without those whose manifest is
   * missing or damaged: each of those is handed to {@code damaged} (which may throw it) and left
   * out, so one damaged version does not hide the others. They do not count towards the limit.
   */
  public List<AssetVersion> versions(String type, VersionFilter filter, Consumer<IntegrityException> damaged) {
    return queries.versions(type, Objects.requireNonNull(filter, "filter"), Objects.requireNonNull(damaged, "damaged"));
  }

  /**
   * Every version, of any type, holding a file with exactly these bytes under any path, newest
   * first, answered from the content index.
   */
  public List<FileMatch> find(Digest content) {
    return queries.find(Objects.requireNonNull(content, "content"));
  }

  /**
   * Every version holding a file identical to a local file, whatever its name.
   *
   * @throws InvalidInputException if the file does not exist or cannot be read
   */
  public List<FileMatch> find(Path localFile) {
    return queries.find(Objects.requireNonNull(localFile, "localFile"));
  }

  /**
   * What changed from one version to another: files added, removed, changed and renamed, and for
   * YAML and JSON files the parameters that changed. Versions of different types may be compared;
   * {@link AssetDiff#typesDiffer()} says so.
   */
  public AssetDiff diff(AssetVersion from, AssetVersion to) {
    return comparisons.diff(from, to);
  }

  /**
   * The parameters of several versions side by side: every YAML and JSON file's keys, or only
   * those of {@code file}, with keys whose values differ first.
   */
  public Comparison compare(List<AssetVersion> versions, Optional<String> file) {
    return comparisons.compare(versions, file);
  }

  /**
   * The versions a version was made from ({@link LineageGraph.Direction#UPSTREAM}, through its refs)
   * or that were made from it ({@link LineageGraph.Direction#DOWNSTREAM}, through the ref index),
   * transitively up to {@code maxDepth} refs away.
   */
  public LineageGraph lineage(AssetVersion root, LineageGraph.Direction direction, int maxDepth) {
    return queries.lineage(root, Objects.requireNonNull(direction, "direction"), maxDepth);
  }

  // ------------------------------------------------------------------ moving aliases

  /**
   * Points an alias at the version a selector names, whatever it points at now: a promotion
   * ({@code "staging"}), a rollback ({@code "prod@1"}), or a version by digest. Same as {@link
   * #setAlias(String, String, String, AliasExpectation)} with {@link AliasExpectation#any()}.
   */
  public AliasUpdate setAlias(String type, String alias, String selector) {
    return setAlias(type, alias, selector, AliasExpectation.any());
  }

  /**
   * Points an alias at the version a selector names (any form {@link #version(String, String)}
   * accepts), if the alias points now at what the caller expects: a compare-and-swap on the alias's
   * log. Nothing is uploaded: the alias gets the very version, with its id, refs and labels. The
   * move is the next entry of the alias's log (by this client's {@link #user()}), so {@link
   * #history} shows it; a removed alias set again continues its log.
   *
   * @return {@link AliasUpdate.Result#MOVED}; {@link AliasUpdate.Result#ALREADY_THERE} if it
   *     pointed at the version already (nothing written, whatever the expectation); {@link
   *     AliasUpdate.Result#EXPECTATION_MISMATCH} if it pointed elsewhere than expected (nothing
   *     written; {@link AliasUpdate#holds()} says where). Of racing updates expecting the same
   *     version, exactly one moves the alias
   * @throws NotFoundException if the selector names no version
   * @throws InvalidInputException if the selector is malformed or ambiguous, or names a version
   *     of another type
   */
  public AliasUpdate setAlias(String type, String alias, String selector, AliasExpectation expected) {
    Names.checkType(type);
    Names.checkAlias(alias);
    Objects.requireNonNull(expected, "expected");
    return aliasMoves.set(type, alias, queries.resolve(type, selector), expected);
  }

  /**
   * Points an alias at a version already resolved, such as one {@link #version} returned, if the
   * alias points now at what the caller expects; see {@link #setAlias(String, String, String,
   * AliasExpectation)}.
   *
   * @throws InvalidInputException if the version is of another type than {@code type}
   * @throws NotFoundException if the version is not in this client's store
   */
  public AliasUpdate setAlias(String type, String alias, AssetVersion version, AliasExpectation expected) {
    Names.checkType(type);
    Names.checkAlias(alias);
    return aliasMoves.set(type, alias, Objects.requireNonNull(version, "version"), Objects.requireNonNull(expected, "expected"));
  }

  /**
   * Points an alias at a version already resolved, as {@link #setAlias(String, String, AssetVersion,
   * AliasExpectation)}, with the log entry signed by a release key: a client whose {@link
   * TrustPolicy} requires signed moves of this alias then follows it. If the alias points at the
   * version already but its head is not signed by this key, a signed entry is appended.
   */
  public AliasUpdate setAlias(String type, String alias, AssetVersion version, AliasExpectation expected, SigningKey signer) {
    Names.checkType(type);
    Names.checkAlias(alias);
    return aliasMoves.set(type, alias, Objects.requireNonNull(version, "version"), Objects.requireNonNull(expected, "expected"),
        Optional.of(Objects.requireNonNull(signer, "signer")));
  }

  /** Removes an alias whatever it points at; see {@link #removeAlias(String, String, AliasExpectation)}. */
  public AliasUpdate removeAlias(String type, String alias) {
    return removeAlias(type, alias, AliasExpectation.any());
  }

  /**
   * Removes an alias, if it points now at what the caller expects, by appending a removal to its
   * log: its history is kept ({@link #history}, {@code alias@N}), resolving it is an {@link
   * AliasRemovedException} saying who removed it and when, and setting it again continues the
   * same log. The versions it pointed at are not deleted.
   *
   * @return {@link AliasUpdate.Result#REMOVED}; {@link AliasUpdate.Result#ALREADY_THERE} if it
   *     was removed already; {@link AliasUpdate.Result#EXPECTATION_MISMATCH} if it pointed elsewhere
   *     than expected (nothing written)
   * @throws NotFoundException with near names if the alias was never set
   */
  public AliasUpdate removeAlias(String type, String alias, AliasExpectation expected) {
    return aliasMoves.remove(Names.checkType(type), Names.checkAlias(alias), Objects.requireNonNull(expected, "expected"));
  }

  /**
   * Removes an alias, as {@link #removeAlias(String, String, AliasExpectation)}, with the removal
   * signed by a release key: a client whose {@link TrustPolicy} requires signed moves of this alias
   * then takes it as removed, where it refuses an unsigned removal as untrusted. If the alias is
   * removed already but its head is not signed by this key, a signed removal is appended.
   */
  public AliasUpdate removeAlias(String type, String alias, AliasExpectation expected, SigningKey signer) {
    return aliasMoves.remove(Names.checkType(type), Names.checkAlias(alias), Objects.requireNonNull(expected, "expected"),
        Optional.of(Objects.requireNonNull(signer, "signer")));
  }

  // ------------------------------------------------------------------ garbage collection

  /**
   * Removes (or, by default, only reports) the manifests, blobs and index markers that nothing
   * keeps: every version an alias log entry names is kept (or those a retention policy keeps), with
   * everything it refs, transitively; nothing younger than the grace period by the store's clock
   * is touched; an upload racing the collection either completes with every object it relies on
   * or fails clearly before relying on one. A collection killed at any point leaves a consistent
   * store. See docs/gc.md for the policy and the safety argument.
   *
   * @throws InvalidInputException if the store cannot list, or is read-only and the options delete
   * @throws StoreException if the store's modification times cannot be trusted (nothing is
   *     deleted then) or the store fails
   */
  public GcReport gc(GcOptions options) {
    return collector.collect(Objects.requireNonNull(options, "options"));
  }

  /**
   * Probes the store for the properties AMA relies on (create-only atomicity between threads and
   * processes, listing order and completeness, read after write, the clock) and for what this
   * client may do (read, upload, move aliases, delete), under a scratch prefix it removes
   * afterwards; records the verdict in the store for {@link #lastProbe()}. See docs/trust.md.
   *
   * @throws StoreException if the store does not exist or cannot be reached at all
   */
  public ProbeReport probe(ProbeOptions options) {
    return probe.run(Objects.requireNonNull(options, "options"));
  }

  /**
   * The verdict the last {@link #probe} recorded in the store, by any client; one read, made only
   * when asked (opening a client reads nothing of it).
   *
   * @throws IntegrityException if the recorded verdict is unreadable
   */
  public Optional<ProbeReport> lastProbe() {
    return probe.recorded();
  }

  // ------------------------------------------------------------------ download and load

  /**
   * Starts a download of the version a selector names: usually an alias, or any form {@link
   * #version(String, String)} accepts. The selector is resolved once, when the download starts.
   */
  public AssetDownload download(String type, String selector) {
    Names.checkType(type);
    Objects.requireNonNull(selector, "selector");
    return new AssetDownload(downloader, () -> downloader.resolveTrusted(type, selector));
  }

  /**
   * Starts a download of a version already resolved, such as one {@link #version} returned, so
   * the files written are that version's even if its alias moves meanwhile. The version must be
   * in this client's store; {@link AssetDownload#to} refuses one that is not with a {@link
   * NotFoundException}.
   */
  public AssetDownload download(AssetVersion version) {
    Objects.requireNonNull(version, "version");
    return new AssetDownload(downloader, () -> queries.requireStored(version));
  }

  /**
   * Starts a download of a version already loaded into the local cache, such as one {@link #load}
   * served from the cache while the store is unreachable: the files are copied from the cache (each
   * verified), with no request to the store as long as the cache still holds their blobs.
   */
  public AssetDownload download(LoadedAsset loaded) {
    Objects.requireNonNull(loaded, "loaded");
    return new AssetDownload(downloader, loaded::asset);
  }

  /**
   * The version an alias points at, on local disk: fetched into the local cache once, then served
   * from it. Before a cached folder is served, each file's stamp is compared with the one recorded
   * when the cache verified it (or every file is hashed, with {@link Builder#verifyLoads()}); a
   * file edited or replaced since is hashed, and if damaged fetched and verified again. If the
   * store cannot be reached, the last version this machine loaded for the alias is served from the
   * cache, so a server can start offline.
   *
   * @throws NotFoundException if the alias does not exist ({@link AliasRemovedException} if it was
   *     removed; this machine then forgets what it loaded for it)
   * @throws StoreException if the store cannot be reached and this machine never loaded the alias
   * @throws IntegrityException if the store's bytes do not match their digests
   * @throws LocalFileException if the local cache cannot be written
   */
  public LoadedAsset load(String type, String alias) {
    return load(type, alias, LoadOptions.defaults());
  }

  /**
   * The version an alias points at, on local disk, as {@link #load(String, String)} loads it, with
   * options: only some of its files ({@link LoadOptions#files}), and whether a cached version may
   * be served when the store is unreachable ({@link LoadOptions#strict}). The result says where it
   * came from ({@link LoadedAsset#origin()}) and holds its version in the cache until closed.
   *
   * @throws StoreException if the store cannot be reached and the options are strict, or this
   *     machine never loaded the alias
   * @throws NotFoundException if the alias does not exist, or a pattern of the selection matches
   *     no file of the version
   */
  public LoadedAsset load(String type, String alias, LoadOptions options) {
    return downloader.load(Names.checkType(type), Names.checkAlias(alias), Objects.requireNonNull(options, "options"));
  }

  /**
   * Follows an alias for serving, with {@link WatchOptions#defaults()}: polls every 30 seconds, no
   * check. See {@link #watch(String, String, WatchOptions)}.
   */
  public AssetWatch watch(String type, String alias) {
    return watch(type, alias, WatchOptions.defaults());
  }

  /**
   * Follows an alias for serving: loads the version it points at now (as {@link #load(String,
   * String, LoadOptions)} does, before returning), then polls the store and, when the alias moves,
   * fetches the new version into the cache, hashes every byte, runs the options' check and only
   * then swaps it in. {@link AssetWatch#current()} costs no request. A failed fetch or check keeps
   * the old version serving and is reported to the listeners. Close the watch to stop polling.
   *
   * @throws StoreException if the store cannot be reached and the options are strict, or this
   *     machine never loaded the alias
   * @throws NotFoundException if the alias does not exist
   */
  public AssetWatch watch(String type, String alias, WatchOptions options) {
    return AssetWatch.start(Names.checkType(type), Names.checkAlias(alias), Objects.requireNonNull(options, "options"),
        queries, downloader, cache, clock);
  }

  // ------------------------------------------------------------------ verify

  /**
   * Checks the whole store against what its format promises: every alias log entry reads and names
   * a manifest whose bytes hash to its id and parse strictly as canonical JSON; every file's blob
   * exists with the size its manifest lists; every index marker a version or alias should have
   * exists, and no marker names a missing manifest. Each problem names the broken object and what
   * it breaks (aliases, alias entries, versions, and the versions that ref those). Objects nothing
   * keeps and temporary files are reported as leftovers, which are not problems.
   *
   * <p>The store is listed once (one request per page of keys), and each alias entry and manifest
   * something names is read once; blobs are checked against the listing. {@link
   * VerifyOptions#deep()} also re-hashes every blob, in parallel on the transfer threads,
   * streaming, with progress reported to the builder's {@link TransferListener} as {@link
   * TransferListener.Phase#VERIFYING}. Damage is reported, not thrown.
   *
   * @throws InvalidInputException if the storage cannot list (a read-only mirror), or a repair was
   *     asked of a read-only store
   * @throws StoreException if the store is missing or fails
   */
  public VerifyReport verify(VerifyOptions options) {
    return verifier.verify(Objects.requireNonNull(options, "options"));
  }

  /**
   * Compacts the content index of a format 2 store: merges the upload records written since the
   * last compaction into a new generation of its sharded tables, so that {@link #find} and uploads
   * read a few shards instead of every recent record. Safe to run at any time, alongside uploads
   * and other compactions, and to kill at any point; see docs/store-format.md. A format 1 store
   * has no content table and is left alone.
   *
   * @throws InvalidInputException if the store cannot list or is read-only
   * @throws StoreException if the store fails
   */
  public IndexCompaction compactIndex() {
    if (!store.packed()) {
      return new IndexCompaction(false, 0, 0, 0);
    }
    ContentTable.Compaction c = contentTable.compact();
    return new IndexCompaction(c.generation().isPresent(), c.generation().orElse(0L), c.recordsMerged(), c.blobs());
  }

  /**
   * The store's format version, from its marker: 1 (every blob a loose object) or 2 (small blobs
   * in packs, an upload record per version); see docs/store-format.md.
   *
   * @throws StoreException if the store does not exist or cannot be read
   */
  public int storeFormat() {
    return store.format();
  }

  /**
   * Migrates a format 1 store to format 2, or with {@link MigrateOptions#dryRun()} reports what
   * that would do and writes nothing. Every version gets its upload record, its small loose blobs
   * (below 1 MiB) are copied into packs, its content identity marker is written, and then the
   * format marker switches to 2, after which clients that know only format 1 refuse the store.
   * Version ids, alias logs, refs and signatures never change. Loose blobs are not deleted: garbage
   * collection removes those no upload record locates, after its grace period.
   *
   * <p>Resumable: a migration killed at any point leaves a consistent store (of format 1 until the
   * switch), and running it again finishes it; on a migrated store it writes nothing. It streams
   * the versions, so memory stays bounded however large the store; see docs/store-format.md,
   * "Migrating to version 2", for when the marker switches and what clients writing meanwhile do.
   *
   * @throws InvalidInputException if the store cannot list, or is read-only and the options write
   * @throws StoreException if the store is missing or fails
   */
  public MigrationReport migrate(MigrateOptions options) {
    return migration.migrate(Objects.requireNonNull(options, "options"));
  }

  /**
   * What {@link #compactIndex} did.
   *
   * @param committed whether this call committed a new generation (false if another compaction
   *     committed the same generation first, or the store has no content table)
   * @param generation the generation committed, or 0
   * @param recordsMerged the upload records merged into it
   * @param blobs the blobs its tables hold
   */
  public record IndexCompaction(boolean committed, long generation, int recordsMerged, long blobs) {}

  /** Stops the transfer threads and closes the storage if this client opened it. */
  @Override
  public void close() {
    tasks.close();
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
   * Configures an {@link AssetClient}. Each setter validates at once and refuses a setting that
   * conflicts with one already made (a store given twice, or both a concurrency and transfer
   * settings); {@link #build()} needs a store.
   */
  public static final class Builder {
    private String location;
    private Storage storage;
    private final List<StorageProvider> providers = new ArrayList<>();
    private String user = defaultUser();
    private Path cache = defaultCache();
    private long cacheMax = defaultCacheMax();
    private Clock clock = Clock.systemUTC();
    private TransferSettings settings = TransferSettings.DEFAULTS;
    private String settingsFrom;
    private TransferListener listener = TransferListener.NONE;
    private boolean verifyLoads;
    private int newStoreFormat = Store.FORMAT_V2;
    private TrustPolicy trust = TrustPolicy.none();

    private Builder() {}

    /**
     * The signatures this client requires: {@code load}, {@code watch} and {@code download} refuse,
     * before writing a byte, a version or an alias move that a rule of the policy requires to be
     * signed and that no allowed key validly signed ({@link UntrustedException}). Defaults to
     * {@link TrustPolicy#none()}.
     *
     * @throws IllegalStateException if a policy was already given
     */
    public Builder trust(TrustPolicy policy) {
      Objects.requireNonNull(policy, "policy");
      if (trust != TrustPolicy.none()) {
        throw new IllegalStateException("the trust policy was already set to " + trust + "; give it once");
      }
      this.trust = policy;
      return this;
    }

    /**
     * The store: a plain path or a URI such as {@code s3://bucket/prefix} or {@code mem:test}.
     *
     * @throws InvalidInputException if the location is not a valid path or URI
     * @throws IllegalStateException if a store was already given
     */
    public Builder store(String location) {
      Objects.requireNonNull(location, "location");
      refuseSecondStore("store(\"" + location + "\")");
      try {
        Storages.toUri(location);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(e.getMessage(), e);
      }
      this.location = location;
      return this;
    }

    /**
     * An already-open storage, such as a custom backend; the caller keeps ownership and closes it.
     *
     * @throws IllegalStateException if a store was already given
     */
    public Builder storage(Storage storage) {
      Objects.requireNonNull(storage, "storage");
      refuseSecondStore("storage(" + storage.location() + ")");
      this.storage = storage;
      return this;
    }

    /**
     * A storage backend tried before those found on the class path through {@link
     * java.util.ServiceLoader}, for {@link #store(String)}: an application that ships its backends
     * names them, so that opening a store does not read every jar of its class path. Repeatable;
     * tried in the order given. {@code file:} and {@code mem:} are always served by ama-core's own.
     */
    public Builder storageProvider(StorageProvider provider) {
      providers.add(Objects.requireNonNull(provider, "provider"));
      return this;
    }

    private void refuseSecondStore(String now) {
      if (location != null || storage != null) {
        String before = location != null ? "store(\"" + location + "\")" : "storage(" + storage.location() + ")";
        throw new IllegalStateException("the store was already set with " + before + "; " + now
            + " would replace it. Give the store once: store(location) or storage(storage)");
      }
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

    /**
     * A cap on the local cache's size on disk, in bytes; defaults to {@code AMA_CACHE_MAX} (a size
     * such as {@code 200MB} or {@code 10GiB}, units powers of 1024, or {@code none}), else no cap.
     * Before a blob is written, the writing process (any process sharing the cache) evicts the
     * least recently used versions to make room for it; versions some process holds or that are
     * pinned are never evicted, so the cache may stay above the cap when they alone exceed it.
     * {@code Long.MAX_VALUE} means no cap. See {@link CacheAdmin}.
     *
     * @throws InvalidInputException if {@code bytes} is negative
     */
    public Builder cacheMax(long bytes) {
      if (bytes < 0) {
        throw new InvalidInputException("invalid cache cap of " + bytes + " bytes: give 0 or more bytes, such as"
            + " cacheMax(10L << 30) for 10 GiB");
      }
      this.cacheMax = bytes;
      return this;
    }

    /** The clock stamping versions and alias moves; for tests. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How many files are hashed, uploaded or downloaded at once; at least 1. A shortcut for
     * {@link #transfers} with only the concurrency changed.
     *
     * @throws InvalidInputException if {@code concurrency} is below 1
     * @throws IllegalStateException if a concurrency or transfer settings were already given
     */
    public Builder concurrency(int concurrency) {
      TransferSettings changed = settings.withConcurrency(concurrency);
      refuseSecondSettings("concurrency(" + concurrency + ")");
      this.settings = changed;
      return this;
    }

    /**
     * Threads, part sizes and ranges; see {@link TransferSettings}.
     *
     * @throws IllegalStateException if transfer settings or a concurrency were already given
     */
    public Builder transfers(TransferSettings settings) {
      Objects.requireNonNull(settings, "settings");
      refuseSecondSettings("transfers(" + settings + ")");
      this.settings = settings;
      return this;
    }

    private void refuseSecondSettings(String now) {
      if (settingsFrom != null) {
        throw new IllegalStateException("transfer settings were already set with " + settingsFrom + "; " + now
            + " would replace them. Set them once: transfers(TransferSettings.DEFAULTS.withConcurrency(n)...)"
            + " or concurrency(n)");
      }
      settingsFrom = now;
    }

    /**
     * Makes {@link AssetClient#load} hash every file of the cached folder it serves, each time,
     * instead of comparing each file's stamp (size, modification time, change time, inode) with
     * the one recorded when the cache last verified it. The stamp catches edits and replacements
     * of served files; this also catches what no stamp shows (an edit on a file system without
     * change times, a damaged disk), at the cost of reading every file.
     */
    public Builder verifyLoads() {
      this.verifyLoads = true;
      return this;
    }

    /**
     * The store format a store this client creates gets (an existing store keeps its own): 2, the
     * default, which packs small files and indexes each upload in one object, or 1, every file one
     * object, for a store that AMA releases older than format 2 must read (they refuse format 2
     * stores). {@link AssetClient#migrate} moves a store from 1 to 2; {@link AssetClient#gc}
     * collects and {@link AssetClient#verify} checks stores of both formats; see
     * docs/store-format.md.
     *
     * @throws InvalidInputException if the format is not 1 or 2
     */
    public Builder newStoreFormat(int format) {
      if (format != Store.FORMAT_V1 && format != Store.FORMAT_V2) {
        throw new InvalidInputException("no store format version " + format + "; this AMA writes version "
            + Store.FORMAT_V1 + " or " + Store.FORMAT_V2);
      }
      this.newStoreFormat = format;
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
        return new AssetClient(this, Storages.open(location, Map.of(), List.copyOf(providers)), true);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(e.getMessage(), e);
      } catch (StorageCredentialsException e) {
        throw new StoreException(e.getMessage(), e);
      } catch (IOException e) {
        throw new StoreException("could not open store " + location + ": " + e.getMessage(), e);
      }
    }

    private static String defaultUser() {
      String env = System.getenv("AMA_USER");
      return env != null && !env.isBlank() ? env : System.getProperty("user.name", "unknown");
    }

    /**
     * The cap {@code AMA_CACHE_MAX} gives, else none.
     *
     * @throws InvalidInputException if it is set but not a size, naming it and the accepted forms
     */
    private static long defaultCacheMax() {
      String env = System.getenv("AMA_CACHE_MAX");
      if (env == null || env.isBlank() || env.strip().equalsIgnoreCase("none")) {
        return LocalCache.UNBOUNDED;
      }
      try {
        return dev.ama.spi.StorageOptions.parseSize(env);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("invalid AMA_CACHE_MAX: " + e.getMessage() + ". Set it to a size such as 10GiB,"
            + " or to none (or unset it) for no cap", e);
      }
    }

    private static Path defaultCache() {
      String env = System.getenv("AMA_CACHE");
      return env != null && !env.isBlank()
          ? Path.of(env).toAbsolutePath()
          : Path.of(System.getProperty("user.home"), ".cache", "ama");
    }
  }
}
