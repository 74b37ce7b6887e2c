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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The objects of a store over a {@link Storage}: the format marker, blobs and manifests, and the
 * storage primitives with their I/O errors turned into {@link
 * AmaException}s that name the store. Alias logs ({@link AliasLog}) and index markers ({@link
 * StoreIndex}) are built on these primitives.
 */
final class Store {
  static final String FORMAT_MARKER = "ama-store.json";
  static final int FORMAT_VERSION = 1;
  private static final String BLOBS = "blobs/";
  private static final String MANIFESTS = "manifests/";

  private final Storage storage;
  private volatile boolean formatChecked;

  Store(Storage storage) {
    this.storage = storage;
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

  /** Where a blob lives: {@code blobs/<algorithm>/<first two hex digits>/<hex>}. */
  static String blobKey(Digest d) {
    return BLOBS + d.algorithm() + "/" + d.hex().substring(0, 2) + "/" + d.hex();
  }

  /** Where a manifest lives: {@code manifests/<algorithm>/<first two hex digits>/<hex>.json}. */
  static String manifestKey(Digest d) {
    return MANIFESTS + d.algorithm() + "/" + d.hex().substring(0, 2) + "/" + d.hex() + ".json";
  }

  // ---- format marker ----

  /** Reads the format marker, creating it if the store is new and {@code forWrite}. */
  void checkFormat(boolean forWrite) {
    if (formatChecked) {
      return;
    }
    Optional<byte[]> marker = readIfExists(FORMAT_MARKER);
    if (marker.isEmpty() && forWrite) {
      ObjectNode n = JsonNodeFactory.instance.objectNode();
      n.put("format", "ama-store");
      n.put("version", FORMAT_VERSION);
      putIfAbsent(FORMAT_MARKER, Content.ofBytes(Manifests.canonical(n)));
      marker = readIfExists(FORMAT_MARKER);
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
            FORMAT_MARKER + " in " + location() + " is not an AMA store marker; is this the right location?");
      }
      if (version > FORMAT_VERSION) {
        throw new InvalidInputException(
            "store " + location() + " uses format version " + version + " but this AMA reads up to "
                + FORMAT_VERSION + ". Upgrade AMA to use it");
      }
      formatChecked = true;
    }
  }

  /** Whether the store holds anything AMA wrote. */
  boolean exists() {
    return stat(FORMAT_MARKER).isPresent();
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
    String key = blobKey(d);
    try {
      return new StoreStream(storage.open(key), key);
    } catch (ObjectNotFoundException e) {
      throw missingBlob(d, e);
    } catch (IOException e) {
      throw failure("read " + key, e);
    }
  }

  /** Opens a range of a blob; see {@link #openBlob(Digest)}. */
  InputStream openBlob(Digest d, long offset, long length) {
    String key = blobKey(d);
    try {
      return new StoreStream(storage.open(key, offset, length), key);
    } catch (ObjectNotFoundException e) {
      throw missingBlob(d, e);
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
    Digest id = Digest.sha256(canonical);
    putIfAbsent(manifestKey(id), Content.ofBytes(canonical));
    return id;
  }

  boolean hasManifest(Digest id) {
    return stat(manifestKey(id)).isPresent();
  }

  Optional<AssetVersion> readManifest(Digest id) {
    return readIfExists(manifestKey(id)).map(bytes -> Manifests.read(id, bytes, location()));
  }

  Optional<byte[]> readManifestBytes(Digest id) {
    return readIfExists(manifestKey(id));
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
