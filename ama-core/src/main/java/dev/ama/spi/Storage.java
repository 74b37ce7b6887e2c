package dev.ama.spi;

import dev.ama.internal.BoundedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A flat namespace of immutable objects addressed by string keys: a bucket and prefix, a
 * directory, memory.
 *
 * <p><b>Keys</b> are non-empty UTF-8 strings of {@code /}-separated segments; see {@link
 * StorageKeys#check(String)} for the exact rules. Keys sort by their UTF-8 bytes ({@link
 * StorageKeys#ORDER}), the order S3 and GCS list in.
 *
 * <p><b>Writes</b> are all-or-nothing: no reader ever sees a partially written object, and a write
 * that fails or is interrupted leaves no object behind. AMA writes almost everything with {@link
 * #putIfAbsent}; {@link #put} (overwrite) is used only for hints that readers never trust alone.
 *
 * <p><b>Thread safety</b>: implementations must be safe for concurrent use by many threads and by
 * many processes on many machines sharing the same underlying store.
 *
 * <p>Errors are {@link IOException}s; a missing key is always reported as {@link
 * ObjectNotFoundException}, whatever the backend's native error is.
 *
 * <p><b>Only objects are read.</b> A backend whose namespace can hold other things at a key (a
 * filesystem's symbolic links, FIFOs, sockets and devices) must neither follow nor read them:
 * {@link #stat}, {@link #open} and {@link #putIfAbsent} throw {@link NotAnObjectException}, and
 * {@link #list} leaves them out. A FIFO would block a reader forever, and a link could lead to
 * endless bytes or out of the store.
 */
public interface Storage extends Closeable {

  /**
   * Where this storage lives, as a URI a person recognises in an error message (for example
   * {@code s3://bucket/prefix} or {@code file:///data/store}). Never contains credentials.
   */
  String location();

  /**
   * The optional capabilities this backend supports. Operations outside them throw {@link
   * UnsupportedStorageOperationException}. The default is all of them: {@link
   * StorageCapability#WRITE}, {@link StorageCapability#LIST} and {@link
   * StorageCapability#MODIFICATION_TIMES}.
   */
  default Set<StorageCapability> capabilities() {
    return EnumSet.allOf(StorageCapability.class);
  }

  /**
   * Returns the size and modification time of an object, or empty if no object has this key.
   *
   * @throws NotAnObjectException if something other than an object sits at the key
   * @throws IOException if the storage cannot be reached or refuses the request
   */
  Optional<ObjectInfo> stat(String key) throws IOException;

  /**
   * Opens an object for reading from its first byte. The caller closes the stream.
   *
   * @throws ObjectNotFoundException if no object has this key
   * @throws NotAnObjectException if something other than an object sits at the key
   * @throws IOException if the storage cannot be reached or refuses the request
   */
  InputStream open(String key) throws IOException;

  /**
   * Opens part of an object: {@code length} bytes starting at {@code offset}, fewer if the object
   * ends first. An offset equal to the object's size yields an empty stream.
   *
   * <p>The default implementation skips within {@link #open(String)}; backends that can read a
   * range natively (HTTP {@code Range}, file channels) should override it.
   *
   * @throws ObjectNotFoundException if no object has this key
   * @throws java.io.EOFException if {@code offset} is beyond the end of the object
   * @throws IllegalArgumentException if {@code offset} or {@code length} is negative
   */
  default InputStream open(String key, long offset, long length) throws IOException {
    StorageKeys.checkRange(offset, length);
    InputStream in = open(key);
    try {
      in.skipNBytes(offset);
      return BoundedInputStream.limit(in, length);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /**
   * Lists the objects whose keys start with {@code prefix} and sort after {@code startAfter}, in
   * {@link StorageKeys#ORDER key order}. {@code startAfter} is a key (not necessarily existing);
   * the empty string lists from the beginning. Backends fetch pages lazily as the stream is
   * consumed; the caller closes the stream.
   *
   * <p>An object written before the call began is listed; one written or deleted during the call
   * may or may not be.
   *
   * @throws UnsupportedStorageOperationException if the backend lacks {@link
   *     StorageCapability#LIST}
   */
  Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException;

  /** Lists every object whose key starts with {@code prefix}, in key order. */
  default Stream<ObjectInfo> list(String prefix) throws IOException {
    return list(prefix, "");
  }

  /**
   * Creates an object only if no object has this key: the one concurrency primitive AMA relies
   * on. Of any number of writers racing for the same key, across threads, processes and
   * machines, exactly one is told {@link PutOutcome#CREATED}; every other is told {@link
   * PutOutcome#ALREADY_EXISTS} and the object keeps the winner's bytes. An existing object is
   * never replaced, not even by identical content.
   *
   * <p>The content is fully written before the key becomes visible; if this method throws, no
   * object was created by this call (though another writer may have created one).
   *
   * @throws UnsupportedStorageOperationException if the backend is read-only
   * @throws IOException if the storage cannot be reached or refuses the request; the caller may
   *     retry, since a retried create of the same content is harmless
   */
  PutOutcome putIfAbsent(String key, Content content) throws IOException;

  /**
   * Creates or replaces an object. Readers see either the old or the new content, never a mix,
   * but two racing writers may both "succeed"; AMA uses this only for hints that are verified
   * before they are trusted (such as an alias log's last known position).
   *
   * @throws UnsupportedStorageOperationException if the backend is read-only
   */
  void put(String key, Content content) throws IOException;

  /**
   * Deletes an object if it exists; deleting a missing key is not an error. AMA deletes only
   * during garbage collection.
   *
   * @return whether an object was deleted by this call
   * @throws UnsupportedStorageOperationException if the backend is read-only
   */
  boolean delete(String key) throws IOException;

  /** Releases clients, connections and threads. The default does nothing. */
  @Override
  default void close() throws IOException {}
}
