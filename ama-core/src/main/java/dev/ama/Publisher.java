package dev.ama;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes new versions: hashes the files, resolves the refs, reuses a version with identical
 * content, and otherwise writes in the one order that keeps a store consistent at every step:
 *
 * <ol>
 *   <li>blobs, each distinct content once, skipping what the store has;
 *   <li>the manifest, whose id is the digest of its bytes;
 *   <li>index markers, which only ever name a manifest that exists;
 *   <li>the alias move, last: only now can anyone find the version by name.
 * </ol>
 *
 * A failure at any step leaves nothing an alias points at incomplete, and a retry completes it.
 */
final class Publisher {
  private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

  private final Store store;
  private final StoreIndex index;
  private final AliasLog aliases;
  private final Queries queries;
  private final Transfers transfers;
  private final Tasks tasks;
  private final LocalCache cache;
  private final Leases leases;
  private final String user;
  private final Clock clock;
  private final Signatures signatures;
  private final Packs packs;
  private final UploadRecords records;
  private final ContentTable table;

  Publisher(Store store, StoreIndex index, AliasLog aliases, Queries queries, Transfers transfers, Tasks tasks,
      LocalCache cache, Leases leases, String user, Clock clock, Signatures signatures, Packs packs,
      UploadRecords records, ContentTable table) {
    this.signatures = signatures;
    this.packs = packs;
    this.records = records;
    this.table = table;
    this.store = store;
    this.index = index;
    this.aliases = aliases;
    this.queries = queries;
    this.transfers = transfers;
    this.tasks = tasks;
    this.cache = cache;
    this.leases = leases;
    this.user = user;
    this.clock = clock;
  }

  /** A ref by alias, resolved when uploading, or one already pinned to a version. */
  record RefRequest(String type, Optional<String> alias, Optional<Digest> version) {}

  /** What to publish, as {@link AssetUpload} collected it. */
  record Request(String type, Map<String, Path> files, List<RefRequest> refs, Optional<String> alias,
      Optional<String> description, Map<String, String> labels, boolean rehash, List<SigningKey> signers) {}

  AssetVersion publish(Request r) {
    List<Ref> refs = resolveRefs(r.refs());
    List<Transfers.Source> sources = hashAll(r.files(), r.rehash());
    List<AssetFile> files = sources.stream().map(Transfers.Source::asset).collect(Collectors.toList());
    Content content = new Content(r.type(), files, refs, r.description(), r.labels());
    // Before the first read: a new store gets its marker, and a store of a newer format is refused
    // even when nothing but an alias would be written.
    store.checkWritable();

    Optional<AssetVersion> previous = Optional.empty();
    Optional<AliasEntry> head = Optional.empty();
    if (r.alias().isPresent()) {
      head = aliases.head(r.type(), r.alias().get());
      previous = head.flatMap(AliasEntry::target).flatMap(this::candidate);
      Optional<AssetVersion> same = previous.filter(content::matches);
      if (same.isPresent()) {
        LOG.debug("{}/{} already points at identical content {}", r.type(), r.alias().get(), same.get().version());
        sign(r, same.get());
        return same.get();
      }
    }
    Optional<AssetVersion> identical = identical(content);
    // Everything this upload may find already stored and rely on instead of writing: its blobs,
    // the versions it refs, a version with identical content. A gc may be deleting exactly those
    // (they can be old and unreferenced), so lease them first and only then check that they exist
    // (docs/gc.md, "the reuse race").
    Set<Digest> reused = new java.util.TreeSet<>();
    refs.forEach(ref -> reused.add(ref.version()));
    identical.ifPresent(v -> reused.add(v.version()));
    Set<Digest> blobs = files.stream().map(AssetFile::digest).collect(Collectors.toCollection(java.util.TreeSet::new));
    // Format 2: where the store already holds blobs of this upload (in packs). Learning a location
    // relies on nothing; relying on it does, so its pack is leased with the rest.
    Map<Digest, UploadRecords.Location> known = store.packed() && identical.isEmpty()
        ? knownLocations(sources, previous) : new java.util.HashMap<>();
    Set<Digest> knownPacks = new java.util.TreeSet<>();
    known.values().forEach(l -> l.pack().ifPresent(knownPacks::add));
    try (Leases.Lease lease = leases.acquire("this upload", reused, blobs, knownPacks)) {
      // A pack a live gc plan may delete or repack is not relied on: its blobs are sent again.
      known.values().removeIf(l -> l.pack().filter(lease.doomedPacks()::contains).isPresent());
      for (Ref ref : refs) {
        if (!store.hasManifest(ref.version())) {
          throw new NotFoundException("cannot ref " + ref.type() + "@" + ref.version().shortHex() + ": the version is no"
              + " longer in " + store.location() + " (garbage collection removed it); nothing was published. Ref a"
              + " version that an alias keeps");
        }
      }
      if (identical.isPresent() && !store.hasManifest(identical.get().version())) {
        identical = Optional.empty();
      }
      return publishLeased(r, refs, sources, content, identical, previous, head, known);
    }
  }

  private AssetVersion publishLeased(Request r, List<Ref> refs, List<Transfers.Source> sources, Content content,
      Optional<AssetVersion> identical, Optional<AssetVersion> previous, Optional<AliasEntry> head,
      Map<Digest, UploadRecords.Location> known) {
    List<AssetFile> files = content.files();
    if (identical.isPresent()) {
      // Same content uploaded before, under another alias or none: reuse that version, so equal
      // inputs always have one id and their downstream lineage is found again. Its upload may have
      // crashed among its index markers (it was found through one), so complete them first.
      AssetVersion v = identical.get();
      markVersion(r.type(), v.createdAt(), v.version(),
          v.files().stream().map(AssetFile::digest).distinct().collect(Collectors.toList()), v.refs(), content, true);
      sign(r, v);
      r.alias().ifPresent(a -> moveAlias(r, a, v.version(), head));
      return v;
    }
    Map<Digest, Transfers.Source> distinct = new LinkedHashMap<>();
    sources.forEach(s -> distinct.putIfAbsent(s.asset().digest(), s));
    Manifests.Draft draft = new Manifests.Draft(r.type(), files, refs, user, now(), r.alias(), r.description(), r.labels());
    byte[] canonical = Manifests.write(draft);
    if (store.packed()) {
      List<UploadRecords.Location> locations = uploadPacked(distinct.values(), known);
      // Before the manifest: every manifest of a format 2 store has its record, so no reader
      // ever has to look for a blob that is in a pack.
      records.write(new UploadRecords.UploadRecord(Digest.sha256(canonical), r.type(), draft.createdAt(), locations));
    } else {
      uploadBlobs(distinct.values());
    }
    Digest id = store.putManifest(canonical);
    AssetVersion version = Manifests.fromDraft(id, draft);

    // A version of the type is stored already (the alias's), so its type marker exists.
    markVersion(r.type(), draft.createdAt(), id, distinct.keySet(), refs, content,
        previous.filter(p -> p.type().equals(r.type())).isPresent());

    sign(r, version);
    r.alias().ifPresent(a -> moveAlias(r, a, id, head));
    cache.saveManifest(id, canonical);
    return version;
  }

  /** The index markers of a stored version: per blob in format 1, per content in format 2. */
  private void markVersion(String type, Instant createdAt, Digest id, Collection<Digest> blobs, List<Ref> refs,
      Content content, boolean typeMarked) {
    if (store.packed()) {
      index.markPackedVersion(type, createdAt, id, content.identity(), refs, typeMarked);
    } else {
      index.markVersion(type, createdAt, id, blobs, refs);
    }
  }

  /**
   * Where a format 2 store holds blobs of an upload already. What the version the alias points at
   * holds is found in its upload record (one request); when more than a pack's worth is still
   * missing, the compacted content table is asked too, since a few shard reads then cost less than
   * the packs they may save. Blobs found nowhere are sent, a duplicate at worst.
   */
  private Map<Digest, UploadRecords.Location> knownLocations(Collection<Transfers.Source> blobs,
      Optional<AssetVersion> previous) {
    Map<Digest, UploadRecords.Location> known = new java.util.HashMap<>();
    previous.flatMap(this::recordOf).ifPresent(rec -> known.putAll(rec.byBlob()));
    List<Digest> missing = new ArrayList<>();
    long missingBytes = 0;
    for (Transfers.Source s : blobs) {
      if (!known.containsKey(s.asset().digest()) && s.asset().size() < Packs.SMALL_BLOB) {
        missing.add(s.asset().digest());
        missingBytes += s.asset().size();
      }
    }
    if (missingBytes > Packs.PACK_BYTES && store.canList()) {
      known.putAll(table.locate(missing));
    }
    return known;
  }

  /** Sends what the store lacks, relying on the leased {@code known} locations, and returns where every blob lives. */
  private List<UploadRecords.Location> uploadPacked(Collection<Transfers.Source> blobs,
      Map<Digest, UploadRecords.Location> known) {
    TransferListener listener = transfers.listener();
    listener.started(TransferListener.Phase.UPLOADING, blobs.size(), blobs.stream().mapToLong(s -> s.asset().size()).sum());
    try {
      return packs.upload(blobs, known);
    } finally {
      listener.finished(TransferListener.Phase.UPLOADING);
    }
  }

  /** A version's upload record, or empty if it has none or it is damaged: then nothing is reused from it. */
  private Optional<UploadRecords.UploadRecord> recordOf(AssetVersion v) {
    try {
      return records.of(v);
    } catch (IntegrityException e) {
      LOG.warn("not reusing the blob locations of version {}: {}", v.version(), e.getMessage());
      return Optional.empty();
    }
  }

  /** Signatures go after the manifest and before the alias: a policy requiring them never sees the alias first. */
  private void sign(Request r, AssetVersion v) {
    r.signers().forEach(k -> signatures.sign(v, k));
  }

  private void moveAlias(Request r, String alias, Digest version, Optional<AliasEntry> head) {
    aliases.move(r.type(), alias, version, user, r.signers().stream().findFirst(), head)
        .orThrow(r.type(), alias, version, store.location());
  }

  private void uploadBlobs(Collection<Transfers.Source> blobs) {
    TransferListener listener = transfers.listener();
    listener.started(TransferListener.Phase.UPLOADING, blobs.size(), blobs.stream().mapToLong(s -> s.asset().size()).sum());
    try {
      tasks.runAll(blobs.stream().map(s -> (Tasks.Action) () -> transfers.uploadBlob(s)).toList());
    } finally {
      listener.finished(TransferListener.Phase.UPLOADING);
    }
  }

  /**
   * The digests of the files: unchanged ones from the hash cache, on this thread (a lookup is
   * cheaper than handing it to another), the rest hashed in parallel; with {@code rehash}, all.
   */
  private List<Transfers.Source> hashAll(Map<String, Path> files, boolean rehash) {
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
      List<Tasks.Action> misses = new ArrayList<>();
      for (int i = 0; i < entries.size(); i++) {
        int n = i;
        String pathInAsset = entries.get(i).getKey();
        Path file = entries.get(i).getValue();
        Optional<Transfers.Source> known = rehash ? Optional.empty() : transfers.known(pathInAsset, file, stamps.get(i));
        if (known.isPresent()) {
          sources[i] = known.get();
        } else {
          misses.add(() -> sources[n] = transfers.hash(pathInAsset, file, stamps.get(n)));
        }
      }
      tasks.runAll(misses);
      return List.of(sources);
    } finally {
      transfers.saveHashes();
      listener.finished(TransferListener.Phase.HASHING);
    }
  }

  /** Milliseconds are plenty for people and keep manifests short and portable. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private List<Ref> resolveRefs(List<RefRequest> requests) {
    List<Ref> refs = new ArrayList<>();
    for (RefRequest r : requests) {
      Digest target = r.version().orElseGet(() -> queries.require(r.type(), r.alias().orElseThrow()).version());
      if (r.version().isPresent() && !store.hasManifest(target)) {
        throw new NotFoundException("cannot ref " + r.type() + "@" + target.shortHex() + ": no such version in "
            + store.location() + "; upload it to this store first");
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
  private Optional<AssetVersion> identical(Content content) {
    if (!store.canList()) {
      return Optional.empty();
    }
    if (store.packed()) {
      return index.withContent(content.identity()).stream()
          .map(this::candidate)
          .flatMap(Optional::stream)
          .filter(content::matches)
          .findFirst();
    }
    AssetFile largest = content.files().stream().max(Comparator.comparingLong(AssetFile::size)).orElseThrow();
    return index.holders(largest.digest()).stream()
        .map(this::candidate)
        .flatMap(Optional::stream)
        .filter(content::matches)
        .findFirst();
  }

  /**
   * A stored version that might be reused, or empty if its manifest is missing or damaged: an
   * upload is how a user recovers from that damage, so it must not fail on it. The new version's
   * manifest is written afresh, and replaces a corrupt copy if it has the same id.
   */
  private Optional<AssetVersion> candidate(Digest id) {
    try {
      return Optional.of(queries.manifest(id));
    } catch (IntegrityException e) {
      LOG.warn("not reusing version {}: {}", id, e.getMessage());
      return Optional.empty();
    }
  }

  /** The content identity of a stored version, as its upload marked it (format 2, {@code index/contents/}). */
  static Digest identityOf(AssetVersion v) {
    return new Content(v.type(), v.files(), v.refs(), v.description(), v.labels()).identity();
  }

  /** What makes two versions the same content: everything but who made them, when, and the alias. */
  private record Content(String type, List<AssetFile> files, List<Ref> refs, Optional<String> description,
      Map<String, String> labels) {
    boolean matches(AssetVersion v) {
      Comparator<AssetFile> byPath = Comparator.comparing(AssetFile::path);
      return v.type().equals(type)
          && sorted(v.files(), byPath).equals(sorted(files, byPath))
          && refKeys(v.refs()).equals(refKeys(refs))
          && v.description().equals(description)
          && v.labels().equals(labels);
    }

    /**
     * The digest of what {@link #matches} compares, canonical JSON: equal for equal content, so a
     * format 2 store finds identical versions in one listing of {@code index/contents/<identity>/}.
     */
    Digest identity() {
      com.fasterxml.jackson.databind.node.ObjectNode n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      description.ifPresent(d -> n.put("description", d));
      com.fasterxml.jackson.databind.node.ArrayNode fs = n.putArray("files");
      sorted(files, Comparator.comparing(AssetFile::path)).forEach(f ->
          fs.addObject().put("digest", f.digest().toString()).put("path", f.path()).put("size", f.size()));
      com.fasterxml.jackson.databind.node.ObjectNode ls = n.putObject("labels");
      labels.forEach(ls::put);
      com.fasterxml.jackson.databind.node.ArrayNode rs = n.putArray("refs");
      new java.util.TreeSet<>(refKeys(refs)).forEach(rs::add);
      n.put("type", type);
      return Digest.sha256(Manifests.canonical(n));
    }

    private static <T> List<T> sorted(Collection<T> items, Comparator<T> order) {
      return items.stream().sorted(order).collect(Collectors.toList());
    }

    private static Set<String> refKeys(List<Ref> refs) {
      return refs.stream().map(r -> r.type() + "@" + r.version()).collect(Collectors.toSet());
    }
  }
}
