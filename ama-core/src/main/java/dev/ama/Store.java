package dev.ama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.ObjectNotFoundException;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageCapability;
import dev.ama.spi.UnsupportedStorageOperationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store format over a {@link Storage}: blobs, manifests, alias logs and index markers at the
 * keys of {@link StoreLayout}, with the storage's I/O errors turned into {@link AmaException}s
 * that name the store.
 */
final class Store {
  private static final Logger LOG = LoggerFactory.getLogger(Store.class);
  private static final int MAX_ALIAS_ATTEMPTS = 64;
  private static final Content EMPTY = Content.ofBytes(new byte[0]);

  private final Storage storage;
  private final Clock clock;
  private volatile boolean formatChecked;

  Store(Storage storage, Clock clock) {
    this.storage = storage;
    this.clock = clock;
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

  // ---- format marker ----

  /** Reads the format marker, creating it if the store is new and {@code forWrite}. */
  void checkFormat(boolean forWrite) {
    if (formatChecked) {
      return;
    }
    Optional<byte[]> marker = readIfExists(StoreLayout.FORMAT_MARKER);
    if (marker.isEmpty() && forWrite) {
      ObjectNode n = JsonNodeFactory.instance.objectNode();
      n.put("format", "ama-store");
      n.put("version", StoreLayout.FORMAT_VERSION);
      putIfAbsent(StoreLayout.FORMAT_MARKER, Content.ofBytes(Manifests.canonical(n)));
      marker = readIfExists(StoreLayout.FORMAT_MARKER);
    }
    if (marker.isPresent()) {
      int version;
      try {
        JsonNode n = Manifests.JSON.readTree(marker.get());
        version = n.path("format").asText().equals("ama-store") ? n.path("version").asInt(-1) : -1;
      } catch (IOException e) {
        version = -1;
      }
      if (version < 1) {
        throw new IntegrityException(
            StoreLayout.FORMAT_MARKER + " in " + location() + " is not an AMA store marker; is this the right location?");
      }
      if (version > StoreLayout.FORMAT_VERSION) {
        throw new InvalidInputException(
            "store " + location() + " uses format version " + version + " but this AMA reads up to "
                + StoreLayout.FORMAT_VERSION + ". Upgrade AMA to use it");
      }
      formatChecked = true;
    }
  }

  /** Whether the store holds anything AMA wrote. */
  boolean exists() {
    return stat(StoreLayout.FORMAT_MARKER).isPresent();
  }

  // ---- blobs ----

  boolean hasBlob(Digest d) {
    return stat(StoreLayout.blob(d)).isPresent();
  }

  PutOutcome putBlob(Digest d, Content content) {
    return putIfAbsent(StoreLayout.blob(d), content);
  }

  InputStream openBlob(Digest d) {
    String key = StoreLayout.blob(d);
    try {
      return storage.open(key);
    } catch (ObjectNotFoundException e) {
      throw new IntegrityException(
          "blob " + d + " is missing from " + location()
              + "; the store was damaged (objects deleted by hand?). Re-upload the asset from its files", e);
    } catch (IOException e) {
      throw failure("read " + key, e);
    }
  }

  InputStream openBlob(Digest d, long offset, long length) throws IOException {
    try {
      return storage.open(StoreLayout.blob(d), offset, length);
    } catch (ObjectNotFoundException e) {
      throw new IntegrityException(
          "blob " + d + " is missing from " + location()
              + "; the store was damaged (objects deleted by hand?). Re-upload the asset from its files", e);
    }
  }

  // ---- manifests ----

  Digest putManifest(byte[] canonical) {
    Digest id = Digest.sha256(canonical);
    putIfAbsent(StoreLayout.manifest(id), Content.ofBytes(canonical));
    return id;
  }

  boolean hasManifest(Digest id) {
    return stat(StoreLayout.manifest(id)).isPresent();
  }

  Optional<AssetVersion> readManifest(Digest id) {
    return readIfExists(StoreLayout.manifest(id)).map(bytes -> Manifests.read(id, bytes, location()));
  }

  Optional<byte[]> readManifestBytes(Digest id) {
    return readIfExists(StoreLayout.manifest(id));
  }

  /** Manifests whose hex starts with a prefix of at least two digits, through a listing. */
  List<Digest> manifestsWithPrefix(String hexPrefix) {
    String prefix = StoreLayout.MANIFESTS + Digest.SHA256 + "/" + hexPrefix.substring(0, 2) + "/" + hexPrefix;
    List<Digest> out = new ArrayList<>();
    try (Stream<ObjectInfo> s = list(prefix)) {
      s.forEach(o -> {
        String name = StoreLayout.lastSegment(o.key());
        if (name.endsWith(".json")) {
          out.add(Digest.sha256Hex(name.substring(0, name.length() - ".json".length())));
        }
      });
    }
    return out;
  }

  // ---- index markers ----

  void mark(String key) {
    putIfAbsent(key, EMPTY);
  }

  List<String> childNames(String prefix) {
    List<String> out = new ArrayList<>();
    try (Stream<ObjectInfo> s = list(prefix)) {
      s.forEach(o -> out.add(o.key().substring(prefix.length())));
    }
    return out;
  }

  /** The aliases pointing at a version now, as {@code type/alias}, through the alias-target index. */
  List<String[]> aliasesPointingAt(Digest version) {
    List<String[]> out = new ArrayList<>();
    String prefix = StoreLayout.aliasTargetsOf(version);
    for (String rest : childNames(prefix)) {
      String[] typeAlias = rest.split("/", 2);
      if (typeAlias.length == 2 && head(typeAlias[0], typeAlias[1]).map(e -> e.version().equals(version)).orElse(false)) {
        out.add(typeAlias);
      }
    }
    return out;
  }

  // ---- alias logs ----

  /**
   * The current entry of an alias: the highest position of its log. The HEAD hint, when present,
   * says where to start; positions are probed forward from it, galloping then bisecting, because
   * the log is dense (entry N+1 is only ever written after N exists). This needs no listing, so
   * read-only mirrors without LIST can resolve aliases too.
   */
  Optional<AliasEntry> head(String type, String alias) {
    long known = headHint(type, alias);
    if (known > 0 && !entryExists(type, alias, known)) {
      known = 0;
    }
    long step = 1;
    long missing;
    while (true) {
      long probe = known + step;
      if (entryExists(type, alias, probe)) {
        known = probe;
        step *= 2;
      } else {
        missing = probe;
        break;
      }
    }
    while (missing - known > 1) {
      long mid = known + (missing - known) / 2;
      if (entryExists(type, alias, mid)) {
        known = mid;
      } else {
        missing = mid;
      }
    }
    return known == 0 ? Optional.empty() : Optional.of(readEntry(type, alias, known));
  }

  private long headHint(String type, String alias) {
    Optional<byte[]> hint = readIfExists(StoreLayout.aliasHead(type, alias));
    if (hint.isEmpty()) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(new String(hint.get(), StandardCharsets.US_ASCII).trim()));
    } catch (NumberFormatException e) {
      LOG.debug("ignoring unreadable alias hint for {}/{}", type, alias);
      return 0;
    }
  }

  private boolean entryExists(String type, String alias, long seq) {
    return stat(StoreLayout.aliasEntry(type, alias, seq)).isPresent();
  }

  AliasEntry readEntry(String type, String alias, long seq) {
    String key = StoreLayout.aliasEntry(type, alias, seq);
    byte[] bytes = readIfExists(key).orElseThrow(() -> new NotFoundException(
        "alias " + type + "/" + alias + " has no history entry " + seq + " in " + location()));
    AliasEntry e = Manifests.readAliasEntry(bytes, key, location());
    if (!e.type().equals(type) || !e.alias().equals(alias) || e.seq() != seq) {
      throw new IntegrityException("alias log entry " + key + " in " + location() + " describes "
          + e.type() + "/" + e.alias() + " entry " + e.seq() + "; the log was tampered with");
    }
    return e;
  }

  /** Every entry of an alias's log, oldest first. */
  List<AliasEntry> history(String type, String alias) {
    long last = head(type, alias).map(AliasEntry::seq).orElse(0L);
    List<AliasEntry> out = new ArrayList<>();
    for (long seq = 1; seq <= last; seq++) {
      out.add(readEntry(type, alias, seq));
    }
    return out;
  }

  /**
   * Appends "alias now points at version" to the alias's log. The writer that creates the next
   * position wins; a loser re-reads the head and tries the position after it, so racing moves
   * are serialized and none is lost.
   */
  AliasEntry moveAlias(String type, String alias, Digest version, String by) {
    // Index markers go first, as everywhere: a marker may name a move that then fails, which
    // readers filter out by checking the alias's head; a move is never missing its marker.
    mark(StoreLayout.aliasMarker(type, alias));
    mark(StoreLayout.aliasTarget(version, type, alias));
    for (int attempt = 1; attempt <= MAX_ALIAS_ATTEMPTS; attempt++) {
      Optional<AliasEntry> head = head(type, alias);
      long seq = head.map(AliasEntry::seq).orElse(0L) + 1;
      AliasEntry entry = new AliasEntry(
          type, alias, seq, version, head.map(AliasEntry::version), by,
          clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
      String key = StoreLayout.aliasEntry(type, alias, seq);
      byte[] bytes = Manifests.writeAliasEntry(entry);
      // A backend that retried a create whose response was lost finds the entry this writer made;
      // that is a win, not a lost race, or the same move would be appended twice.
      if (putIfAbsent(key, Content.ofBytes(bytes)) == PutOutcome.CREATED
          || readIfExists(key).filter(stored -> Arrays.equals(stored, bytes)).isPresent()) {
        writeHint(type, alias, seq);
        return entry;
      }
      LOG.debug("lost the race for {}/{} entry {}; retrying", type, alias, seq);
      sleep(Duration.ofMillis(ThreadLocalRandom.current().nextLong(1, 5L * Math.min(attempt, 20))));
    }
    throw new StoreException("could not move alias " + type + "/" + alias + " in " + location() + " after "
        + MAX_ALIAS_ATTEMPTS + " attempts: other writers kept moving it first. The version "
        + version + " is stored; retry the upload to point the alias at it");
  }

  private void writeHint(String type, String alias, long seq) {
    try {
      storage.put(StoreLayout.aliasHead(type, alias), Content.ofBytes(Long.toString(seq).getBytes(StandardCharsets.US_ASCII)));
    } catch (IOException | RuntimeException e) {
      // The hint only saves probes; readers never trust it alone, so a failed write is harmless.
      LOG.debug("could not update alias hint for {}/{}: {}", type, alias, e.toString());
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while moving an alias", e);
    }
  }

  // ---- primitives with errors translated ----

  Optional<ObjectInfo> stat(String key) {
    try {
      return storage.stat(key);
    } catch (IOException e) {
      throw failure("check " + key, e);
    }
  }

  Optional<byte[]> readIfExists(String key) {
    try (InputStream in = storage.open(key)) {
      return Optional.of(in.readAllBytes());
    } catch (ObjectNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw failure("read " + key, e);
    }
  }

  PutOutcome putIfAbsent(String key, Content content) {
    try {
      return storage.putIfAbsent(key, content);
    } catch (UnsupportedStorageOperationException e) {
      throw new InvalidInputException("store " + location() + " is read-only: " + e.getMessage(), e);
    } catch (IOException e) {
      throw failure("write " + key, e);
    }
  }

  void delete(String key) {
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
    Stream<ObjectInfo> listed;
    try {
      listed = storage.list(prefix);
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

  StoreException failure(String what, IOException e) {
    return new StoreException("could not " + what + " in store " + location() + ": " + describe(e)
        + ". Check that the store is reachable and that you may access it, then retry", e);
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
  }
}
