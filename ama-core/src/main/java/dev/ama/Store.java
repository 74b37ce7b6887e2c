package dev.ama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.spi.Content;
import dev.ama.spi.NotAnObjectException;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.ObjectNotFoundException;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageCapability;
import dev.ama.spi.StorageCredentialsException;
import dev.ama.spi.UnsupportedStorageOperationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The objects of a store over a {@link Storage}: the format marker, blobs and manifests, and the
 * storage primitives with their I/O errors turned into {@link
 * AmaException}s that name the store. Alias logs ({@link AliasLog}) and index markers ({@link
 * StoreIndex}) are built on these primitives.
 */
final class Store {
  private static final Logger LOG = LoggerFactory.getLogger(Store.class);
  static final String FORMAT_MARKER = "ama-store.json";
  /** The format of stores without packs: every blob is one object, every blob use one marker. */
  static final int FORMAT_V1 = 1;
  /** The format with packs of small blobs and one upload record per version (docs/store-format.md). */
  static final int FORMAT_V2 = 2;
  /** The newest format this AMA reads and writes; it refuses stores of a newer one. */
  static final int FORMAT_VERSION = FORMAT_V2;
  /**
   * The most bytes read of one manifest: some 150,000 files' entries. A manifest is read whole
   * into memory, so without a bound a hostile or damaged one (a sparse 3 GB file) would exhaust
   * it; uploads refuse to write a larger one.
   */
  static final int MAX_MANIFEST_BYTES = 32 << 20;
  /** The most bytes read of an alias log entry, a {@code HEAD} hint or the format marker (they are some 300 bytes). */
  static final int MAX_SMALL_OBJECT_BYTES = 64 << 10;
  static final String BLOBS = "blobs/";
  static final String MANIFESTS = "manifests/";
  static final String PACKS = "packs/";

  private final Storage storage;
  private final int newStoreFormat;
  private volatile boolean formatChecked;
  private volatile int format;

  /** A store that creates new stores in format version 1. */
  Store(Storage storage) {
    this(storage, FORMAT_V1);
  }

  /** @param newStoreFormat the format a store this client creates gets; existing stores keep theirs */
  Store(Storage storage, int newStoreFormat) {
    if (newStoreFormat < FORMAT_V1 || newStoreFormat > FORMAT_VERSION) {
      throw new IllegalArgumentException("no store format version " + newStoreFormat);
    }
    this.storage = storage;
    this.newStoreFormat = newStoreFormat;
  }

  /**
   * The store's format version, read from its marker (checked first); a store created by this
   * client has the client's format for new stores.
   */
  int format() {
    checkReadable();
    return format;
  }

  /** Whether small blobs of this store live in packs and blob uses in upload records (format 2). */
  boolean packed() {
    return format() >= FORMAT_V2;
  }

  Storage storage() {
    return storage;
  }

  String location() {
    return storage.location();
  }

  boolean canList() {
    return storage.capabilities().contains(StorageCapability.LIST);
  }

  boolean reportsModificationTimes() {
    return storage.capabilities().contains(StorageCapability.MODIFICATION_TIMES);
  }

  /** Where a blob lives: {@code blobs/<algorithm>/<first two hex digits>/<hex>}. */
  static String blobKey(Digest d) {
    return BLOBS + d.algorithm() + "/" + d.hex().substring(0, 2) + "/" + d.hex();
  }

  /** Where a pack lives: {@code packs/<algorithm>/<first two hex digits>/<hex>}, named by the digest of its bytes. */
  static String packKey(Digest pack) {
    return PACKS + pack.algorithm() + "/" + pack.hex().substring(0, 2) + "/" + pack.hex();
  }

  /** Where a manifest lives: {@code manifests/<algorithm>/<first two hex digits>/<hex>.json}. */
  static String manifestKey(Digest d) {
    return MANIFESTS + d.algorithm() + "/" + d.hex().substring(0, 2) + "/" + d.hex() + ".json";
  }

  // ---- format marker ----

  /**
   * Checks, once per client and before its first read, that the store exists and is in a format
   * this AMA understands. A store without its marker is not found: a mistyped path, an unmounted
   * share or an empty bucket prefix must not read as an empty store (which would make {@code
   * load()} report "no such alias" instead of serving from the cache).
   *
   * @throws StoreException if the store has no format marker
   * @throws InvalidInputException if the store is in a newer format
   */
  void checkReadable() {
    if (formatChecked) {
      return;
    }
    checkMarker(readMarker().orElseThrow(this::notFound));
  }

  /**
   * Checks the format before a write, once per client, creating the marker of a new store: only a
   * write creates a store, and only in an empty location.
   *
   * @throws InvalidInputException if the store is in a newer format, or the location holds objects
   *     but no format marker (it is not an AMA store)
   */
  void checkWritable() {
    if (formatChecked) {
      return;
    }
    Optional<byte[]> marker = readMarker();
    if (marker.isEmpty()) {
      Optional<String> foreign = firstKey();
      if (foreign.isPresent()) {
        // Another writer may have created the store between the read and the listing: its marker
        // is then what the listing found, and the store is an AMA store after all.
        marker = readMarker();
      }
      if (marker.isEmpty() && foreign.isPresent()) {
        throw new InvalidInputException("store location " + location() + " holds objects (such as " + foreign.get()
            + ") but no " + FORMAT_MARKER + ", so it is not an AMA store, and AMA does not mix its objects with others."
            + " Give an empty or new location, or an existing store's; if this is a store whose " + FORMAT_MARKER
            + " was deleted, restore it with the content " + new String(marker(FORMAT_V1), StandardCharsets.UTF_8)
            + " (or version " + FORMAT_V2 + " if it had packs/)");
      }
    }
    if (marker.isEmpty()) {
      try {
        storage.putIfAbsent(FORMAT_MARKER, Content.ofBytes(marker(newStoreFormat)));
      } catch (UnsupportedStorageOperationException e) {
        throw readOnly(e);
      } catch (IOException e) {
        throw failure("write " + FORMAT_MARKER, e);
      }
      marker = readMarker();
    }
    checkMarker(marker.orElseThrow(this::notFound));
  }

  /**
   * Checks the format again, uncached: a store that vanished since the first check (a share
   * unmounted under a long-running server) is then reported as not found rather than as empty.
   */
  void recheck() {
    formatChecked = false;
    checkReadable();
  }

  /**
   * Rewrites the format marker of an existing store to a newer format: the last step of a
   * migration, after which clients that know only the older format refuse the store. The one
   * overwrite of the marker AMA makes; racing migrations write the same bytes.
   */
  void switchFormat(int version) {
    checkWritable();
    if (version < format || version > FORMAT_VERSION) {
      throw new IllegalArgumentException("cannot switch a format " + format + " store to format " + version);
    }
    put(FORMAT_MARKER, Content.ofBytes(marker(version)));
    format = version;
  }

  static byte[] marker(int version) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("format", "ama-store");
    n.put("version", version);
    return Manifests.canonical(n);
  }

  private Optional<byte[]> readMarker() {
    return read(FORMAT_MARKER, MAX_SMALL_OBJECT_BYTES, "the format marker");
  }

  private void checkMarker(byte[] bytes) {
    String where = FORMAT_MARKER + " in " + location();
    long version;
    try {
      JsonNode n = Manifests.JSON.readTree(bytes);
      if (n == null || !n.isObject() || !n.path("format").asText().equals("ama-store")) {
        throw new IntegrityException(where + " is not an AMA store marker; is this the right location?");
      }
      version = Manifests.whole(n, "version", 1, Long.MAX_VALUE, where);
    } catch (IOException e) {
      throw new IntegrityException(where + " is not an AMA store marker (" + e.getMessage()
          + "); is this the right location?", e);
    }
    if (version > FORMAT_VERSION) {
      throw new InvalidInputException("store " + location() + " uses store format version " + version
          + ", but this AMA understands only store format version " + FORMAT_V1 + " and " + FORMAT_V2 + ", and neither reads nor writes a newer"
          + " one, which it could misread or damage. Upgrade AMA to a release that supports format version " + version);
    }
    format = (int) version;
    formatChecked = true;
  }

  /**
   * Why a read finds no store. It does not list the location to say more: a mistyped path may be
   * a large folder, and a filesystem listing walks all of it.
   */
  private StoreException notFound() {
    return new StoreException("no AMA store at " + location() + ": it has no " + FORMAT_MARKER + ", so it does not exist,"
        + " is empty or is not an AMA store (a mistyped path? an unmounted share?). Check the store location (--store,"
        + " AMA_STORE) and that it is reachable; a new store is created by its first upload");
  }

  /** Some key of the store, to tell an empty location from a foreign one; empty if it cannot list. */
  private Optional<String> firstKey() {
    if (!canList()) {
      return Optional.empty();
    }
    try (Stream<ObjectInfo> s = storage.list("")) {
      return s.map(ObjectInfo::key).findFirst();
    } catch (IOException e) {
      throw failure("list the store", e);
    }
  }

  // ---- blobs ----

  boolean hasBlob(Digest d) {
    return stat(blobKey(d)).isPresent();
  }

  PutOutcome putBlob(Digest d, Content content) {
    return putIfAbsent(blobKey(d), content);
  }

  /**
   * Opens a blob. Read failures of the returned stream are {@link StoreException}s naming the
   * blob, so a copy loop that also writes a local file can tell the two sides' errors apart.
   *
   * @throws IntegrityException if the store has no such blob
   */
  InputStream openBlob(Digest d) {
    checkReadable();
    String key = blobKey(d);
    try {
      return new StoreStream(storage.open(key), key);
    } catch (ObjectNotFoundException e) {
      throw missingBlob(d, e);
    } catch (IOException e) {
      throw failure("read " + key, e);
    }
  }

  /**
   * Opens a range of a pack, holding one or more blobs a read needs; the caller verifies each
   * blob's digest. Read failures are {@link StoreException}s naming the pack.
   *
   * @throws IntegrityException if the store has no such pack
   */
  InputStream openPack(Digest pack, long offset, long length) {
    String key = packKey(pack);
    return openRange(key, offset, length, e -> new MissingPack(pack, "pack " + pack + " (" + key + ") is missing from "
        + location() + " and no forwarding object (" + StoreLayout.moves(pack) + ") says where its blobs went; the store"
        + " was damaged (objects deleted by hand?). Re-upload the assets whose files it held", e));
  }

  /**
   * A pack that is not in the store. Readers then look for its forwarding object (garbage
   * collection repacked it) before reporting damage with this message.
   */
  static final class MissingPack extends IntegrityException {
    private final transient Digest pack;

    MissingPack(Digest pack, String message, Throwable cause) {
      super(message, cause);
      this.pack = pack;
    }

    Digest pack() {
      return pack;
    }
  }

  /** Opens a range of a blob; see {@link #openBlob(Digest)}. */
  InputStream openBlob(Digest d, long offset, long length) {
    return openRange(blobKey(d), offset, length, e -> missingBlob(d, e));
  }

  private InputStream openRange(String key, long offset, long length,
      java.util.function.Function<ObjectNotFoundException, IntegrityException> missing) {
    checkReadable();
    try {
      return new StoreStream(storage.open(key, offset, length), key);
    } catch (ObjectNotFoundException e) {
      throw missing.apply(e);
    } catch (IOException e) {
      throw failure("read " + key + " from byte " + offset, e);
    }
  }

  private IntegrityException missingBlob(Digest d, ObjectNotFoundException e) {
    return new IntegrityException("blob " + d + " is missing from " + location()
        + "; the store was damaged (objects deleted by hand?). Re-upload the asset from its files", e);
  }

  /** A stream from the store whose I/O errors are reported as the store's. */
  private final class StoreStream extends java.io.FilterInputStream {
    private final String key;

    StoreStream(InputStream in, String key) {
      super(in);
      this.key = key;
    }

    @Override
    public int read() {
      try {
        return super.read();
      } catch (IOException e) {
        throw failure("read " + key, e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) {
      try {
        return super.read(b, off, len);
      } catch (IOException e) {
        throw failure("read " + key, e);
      }
    }

    @Override
    public long skip(long n) {
      try {
        return super.skip(n);
      } catch (IOException e) {
        throw failure("read " + key, e);
      }
    }

    @Override
    public void close() {
      try {
        super.close();
      } catch (IOException e) {
        // Everything needed was read and verified; a failed close loses nothing.
      }
    }
  }

  // ---- manifests ----

  Digest putManifest(byte[] canonical) {
    if (canonical.length > MAX_MANIFEST_BYTES) {
      throw new InvalidInputException("this version's manifest would take " + canonical.length + " bytes, more than the "
          + MAX_MANIFEST_BYTES + " bytes any AMA reads of a manifest; nothing was published. Upload fewer files per"
          + " version, for example an archive of them");
    }
    Digest id = Digest.sha256(canonical);
    String key = manifestKey(id);
    if (putIfAbsent(key, Content.ofBytes(canonical)) == PutOutcome.ALREADY_EXISTS && !holds(key, id)) {
      // The key is the digest of the only right content, so replacing bytes that do not hash to it
      // is a repair that loses nothing. It is the one create-only object AMA overwrites.
      LOG.warn("repairing the damaged manifest {} in {}", id, location());
      put(key, Content.ofBytes(canonical));
    }
    return id;
  }

  /** Whether the object at a key is intact: readable, and its bytes hash to {@code id}. */
  private boolean holds(String key, Digest id) {
    try {
      return readIfExists(key, MAX_MANIFEST_BYTES, "manifest " + id).map(b -> Digest.sha256(b).equals(id)).orElse(false);
    } catch (IntegrityException e) {
      return false;
    }
  }

  boolean hasManifest(Digest id) {
    return stat(manifestKey(id)).isPresent();
  }

  Optional<byte[]> readManifestBytes(Digest id) {
    return readIfExists(manifestKey(id), MAX_MANIFEST_BYTES, "manifest " + id);
  }

  /**
   * A note for messages about a damaged blob: where it lives, so an operator can remove it and
   * let a re-upload restore it.
   */
  String blobRepairHint(Digest d) {
    return "If the store's copy is damaged, delete " + blobKey(d) + " from the store and upload the asset"
        + " again to restore it";
  }

  /** Removes a blob this process just created whose bytes turned out not to match its key. */
  void deleteBlob(Digest d) {
    delete(blobKey(d));
  }

  /** Manifests whose hex starts with a prefix of at least two digits, through a listing. */
  List<Digest> manifestsWithPrefix(String hexPrefix) {
    String prefix = MANIFESTS + Digest.SHA256 + "/" + hexPrefix.substring(0, 2) + "/" + hexPrefix;
    List<Digest> out = new ArrayList<>();
    try (Stream<ObjectInfo> s = list(prefix)) {
      s.forEach(o -> {
        String name = o.key().substring(o.key().lastIndexOf('/') + 1);
        if (name.endsWith(".json")) {
          out.add(Digest.sha256Hex(name.substring(0, name.length() - ".json".length())));
        }
      });
    }
    return out;
  }

  // ---- primitives with errors translated ----

  Optional<ObjectInfo> stat(String key) {
    checkReadable();
    try {
      return storage.stat(key);
    } catch (IOException e) {
      throw failure("check " + key, e);
    }
  }

  /**
   * Reads a small object whole, at most {@code limit} bytes of it: one more is read to tell that it
   * is larger, so a hostile object never costs more memory than the limit.
   *
   * @param what the object in the user's words, for the message, such as "manifest sha256:…"
   * @throws IntegrityException if the object is larger than the limit
   */
  Optional<byte[]> readIfExists(String key, int limit, String what) {
    checkReadable();
    return read(key, limit, what);
  }

  private Optional<byte[]> read(String key, int limit, String what) {
    try (InputStream in = storage.open(key)) {
      byte[] bytes = in.readNBytes(limit + 1);
      if (bytes.length > limit) {
        throw new IntegrityException(what + " (" + key + ") in store " + location() + " is larger than " + limit
            + " bytes, the most AMA reads of it, so it was not read: it was not written by AMA or was damaged."
            + " Remove it or restore it from a backup");
      }
      return Optional.of(bytes);
    } catch (ObjectNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw failure("read " + key, e);
    }
  }

  PutOutcome putIfAbsent(String key, Content content) {
    checkWritable();
    try {
      return storage.putIfAbsent(key, content);
    } catch (UnsupportedStorageOperationException e) {
      throw readOnly(e);
    } catch (IOException e) {
      throw failure("write " + key, e);
    }
  }

  /** Creates or replaces an object: only for hints readers never trust alone, and for repairs. */
  void put(String key, Content content) {
    checkWritable();
    try {
      storage.put(key, content);
    } catch (UnsupportedStorageOperationException e) {
      throw readOnly(e);
    } catch (IOException e) {
      throw failure("write " + key, e);
    }
  }

  private InvalidInputException readOnly(UnsupportedStorageOperationException e) {
    return new InvalidInputException("store " + location() + " is read-only: " + e.getMessage(), e);
  }

  void delete(String key) {
    checkWritable();
    try {
      storage.delete(key);
    } catch (IOException e) {
      throw failure("delete " + key, e);
    }
  }

  /**
   * Lists a prefix. Backends fetch later pages while the stream is consumed and report their
   * errors then as {@link java.io.UncheckedIOException}; those are translated here like the first
   * page's, so every listing failure reaches callers as a {@link StoreException} naming the store.
   */
  Stream<ObjectInfo> list(String prefix) {
    return list(prefix, "");
  }

  /** Lists a prefix from the first key after {@code startAfter}; see {@link #list(String)}. */
  Stream<ObjectInfo> list(String prefix, String startAfter) {
    checkReadable();
    Stream<ObjectInfo> listed;
    try {
      listed = storage.list(prefix, startAfter);
    } catch (UnsupportedStorageOperationException e) {
      throw new InvalidInputException("store " + location() + " cannot list objects, which this query needs: "
          + e.getMessage() + ". Run it against the store itself rather than a mirror", e);
    } catch (IOException e) {
      throw failure("list " + prefix, e);
    }
    java.util.Iterator<ObjectInfo> it = listed.iterator();
    java.util.Iterator<ObjectInfo> translated = new java.util.Iterator<>() {
      @Override
      public boolean hasNext() {
        try {
          return it.hasNext();
        } catch (java.io.UncheckedIOException e) {
          throw failure("list " + prefix, e.getCause());
        }
      }

      @Override
      public ObjectInfo next() {
        try {
          return it.next();
        } catch (java.io.UncheckedIOException e) {
          throw failure("list " + prefix, e.getCause());
        }
      }
    };
    return java.util.stream.StreamSupport.stream(
            java.util.Spliterators.spliteratorUnknownSize(translated, java.util.Spliterator.ORDERED), false)
        .onClose(listed::close);
  }

  /**
   * The error for a failed storage request: a store failure, or, when a backend found something
   * that is not an object at a key (a FIFO, a link), damage to the store that no retry can mend.
   */
  AmaException failure(String what, IOException e) {
    if (e instanceof NotAnObjectException) {
      return new IntegrityException("the store is damaged: " + e.getMessage(), e);
    }
    if (e instanceof StorageCredentialsException) {
      // Its message names the object and the fix; "check that the store is reachable" would mislead.
      return new StoreException(e.getMessage(), e);
    }
    return new StoreException("could not " + what + " in store " + location() + ": " + describe(e)
        + ". Check that the store is reachable and that you may access it, then retry", e);
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
  }
}
