package dev.ama.storage.gcs;

import com.google.api.gax.paging.Page;
import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage.BlobListOption;
import com.google.cloud.storage.Storage.BlobTargetOption;
import com.google.cloud.storage.Storage.BlobWriteOption;
import com.google.cloud.storage.StorageException;
import dev.ama.internal.BoundedInputStream;
import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.ObjectNotFoundException;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.StorageKeys;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A store in a Google Cloud Storage bucket, under an optional prefix: {@code gs://bucket/prefix}.
 * Key {@code k} is the object {@code prefix/k}.
 *
 * <p>{@link #putIfAbsent} sends {@code ifGenerationMatch=0}, which GCS evaluates atomically: of
 * racing writers exactly one creates the object and the others get HTTP 412, reported as {@link
 * PutOutcome#ALREADY_EXISTS}. Content up to {@link GcsProperties#DIRECT_UPLOAD_MAX} goes in
 * one request; larger content streams through a resumable upload in chunks of {@link
 * GcsProperties#CHUNK_SIZE}, so memory use does not grow with the object. An upload that
 * fails is never finalized, so no partial object appears.
 *
 * <p>Open one with {@link dev.ama.spi.Storages#open(String)} and a {@code gs://} URI, or wrap a
 * client you configured yourself with {@link #wrap}. Thread-safe.
 */
public final class GcsStorage implements Storage {
  private static final int COPY_BUFFER = 64 << 10;
  private static final int FIRST_READ_BYTES = 8 << 10;
  private static final String CONTENT_TYPE = "application/octet-stream";

  private final com.google.cloud.storage.Storage client;
  private final boolean ownsClient;
  private final String bucket;
  private final String prefix;
  private final String location;
  private final GcsProperties properties;
  private final GcsErrors errors;

  GcsStorage(
      com.google.cloud.storage.Storage client,
      boolean ownsClient,
      String bucket,
      String prefix,
      GcsProperties properties) {
    this.client = Objects.requireNonNull(client, "client");
    this.ownsClient = ownsClient;
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.prefix = prefix.isEmpty() ? "" : prefix + "/";
    this.location = "gs://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    this.properties = properties;
    this.errors = new GcsErrors(bucket, location, properties.endpoint(), properties.maxAttempts());
  }

  /**
   * A store over a client configured by the caller (credentials, retries, transport). The client
   * stays the caller's: {@link #close()} does not close it. No bucket check is made.
   *
   * @param prefix the folder in the bucket, without leading or trailing slash; empty for the root
   * @param properties upload and listing options; the client's own settings win for the rest
   */
  public static GcsStorage wrap(
      com.google.cloud.storage.Storage client, String bucket, String prefix, GcsProperties properties) {
    GcsStorageProvider.checkBucketName(bucket, "gs://" + bucket);
    if (!prefix.isEmpty()) {
      StorageKeys.check(prefix);
    }
    return new GcsStorage(client, false, bucket, prefix, properties);
  }

  @Override
  public String location() {
    return location;
  }

  /** The bucket this store lives in. */
  public String bucket() {
    return bucket;
  }

  /** The object-name prefix of this store: empty, or ending with {@code /}. */
  public String prefix() {
    return prefix;
  }

  private String name(String key) {
    return prefix + StorageKeys.check(key);
  }

  /**
   * Fails with a clear message if the bucket does not exist. Credentials that may not read bucket
   * metadata pass: they may still read and write objects.
   */
  void checkBucketExists() throws IOException {
    try {
      if (client.get(
              bucket,
              com.google.cloud.storage.Storage.BucketGetOption.fields(
                  com.google.cloud.storage.Storage.BucketField.NAME)) == null) {
        throw new IOException(
            "GCS bucket '" + bucket + "' of store " + location + " does not exist. Create it (gcloud storage buckets create gs://"
                + bucket + ") or fix the bucket name");
      }
    } catch (StorageException e) {
      if (e.getCode() == 403) {
        return;
      }
      throw errors.translate(e, "open store", "", "");
    }
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    String name = name(key);
    try {
      Blob blob = client.get(BlobId.of(bucket, name));
      return blob == null ? Optional.empty() : Optional.of(info(key, blob));
    } catch (StorageException e) {
      throw errors.translate(e, "stat", key, name);
    }
  }

  private static ObjectInfo info(String key, BlobInfo blob) {
    OffsetDateTime t = blob.getUpdateTimeOffsetDateTime();
    if (t == null) {
      t = blob.getCreateTimeOffsetDateTime();
    }
    Long size = blob.getSize();
    return new ObjectInfo(key, size == null ? 0 : size, t == null ? Instant.now() : t.toInstant());
  }

  /**
   * {@inheritDoc}
   *
   * <p>One request: the first read happens here, so a missing object is reported now; the client
   * pins later requests of this read (resumptions after a dropped connection) to the generation
   * the first one saw.
   */
  @Override
  public InputStream open(String key) throws IOException {
    String name = name(key);
    ReadChannel reader = client.reader(BlobId.of(bucket, name));
    ByteBuffer first = ByteBuffer.allocate(FIRST_READ_BYTES);
    int n;
    try {
      n = reader.read(first);
    } catch (StorageException e) {
      reader.close();
      throw errors.translate(e, "read", key, name);
    } catch (IOException | RuntimeException e) {
      reader.close();
      if (e.getCause() instanceof StorageException se) {
        throw errors.translate(se, "read", key, name);
      }
      throw e;
    }
    if (n < 0) {
      reader.close();
      return InputStream.nullInputStream();
    }
    InputStream head = new java.io.ByteArrayInputStream(first.array(), 0, first.position());
    return new java.io.SequenceInputStream(head, new TranslatingInputStream(Channels.newInputStream(reader), key, name));
  }

  @Override
  public InputStream open(String key, long offset, long length) throws IOException {
    StorageKeys.checkRange(offset, length);
    String name = name(key);
    Blob blob;
    try {
      blob = client.get(BlobId.of(bucket, name));
    } catch (StorageException e) {
      throw errors.translate(e, "read", key, name);
    }
    if (blob == null) {
      throw new ObjectNotFoundException(location, key);
    }
    long size = blob.getSize() == null ? 0 : blob.getSize();
    if (offset > size) {
      throw new EOFException(
          "offset " + offset + " is beyond the end of " + key + " (" + size + " bytes) in " + location);
    }
    long end = length >= size - offset ? size : offset + length;
    if (end == offset) {
      return InputStream.nullInputStream();
    }
    // Pinning the generation read at stat time means an overwrite during the read fails loudly
    // instead of splicing two versions' bytes together.
    ReadChannel reader = client.reader(BlobId.of(bucket, name, blob.getGeneration()));
    try {
      if (offset > 0) {
        reader.seek(offset);
      }
      if (end < size) {
        reader.limit(end);
      }
    } catch (IOException | RuntimeException e) {
      reader.close();
      throw e;
    }
    InputStream in = new TranslatingInputStream(Channels.newInputStream(reader), key, name);
    return end < size ? BoundedInputStream.limit(in, end - offset) : in;
  }

  /** Reports the client's runtime exceptions raised mid-read as clear {@link IOException}s. */
  private final class TranslatingInputStream extends FilterInputStream {
    private final String key;
    private final String name;

    TranslatingInputStream(InputStream in, String key, String name) {
      super(in);
      this.key = key;
      this.name = name;
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (StorageException e) {
        throw errors.translate(e, "read", key, name);
      } catch (IOException e) {
        throw unwrap(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (StorageException e) {
        throw errors.translate(e, "read", key, name);
      } catch (IOException e) {
        throw unwrap(e);
      }
    }

    private IOException unwrap(IOException e) {
      return e.getCause() instanceof StorageException se ? errors.translate(se, "read", key, name) : e;
    }
  }

  @Override
  public Stream<ObjectInfo> list(String prefix, String startAfter) throws IOException {
    StorageKeys.checkPrefix(prefix);
    Objects.requireNonNull(startAfter, "startAfter");
    List<BlobListOption> options = new ArrayList<>();
    options.add(BlobListOption.pageSize(properties.listPageSize()));
    if (!(this.prefix + prefix).isEmpty()) {
      options.add(BlobListOption.prefix(this.prefix + prefix));
    }
    boolean skipFrom = StorageKeys.ORDER.compare(startAfter, prefix) >= 0 && !startAfter.isEmpty();
    if (skipFrom) {
      // startOffset is inclusive; the exact key is dropped below.
      options.add(BlobListOption.startOffset(this.prefix + startAfter));
    }
    Page<Blob> first;
    try {
      first = client.list(bucket, options.toArray(BlobListOption[]::new));
    } catch (StorageException e) {
      throw errors.translate(e, "list", "", this.prefix + prefix);
    }
    Iterator<Blob> blobs = first.iterateAll().iterator();
    Iterator<ObjectInfo> infos =
        new Iterator<>() {
          private ObjectInfo next;

          @Override
          public boolean hasNext() {
            while (next == null) {
              Blob blob;
              try {
                if (!blobs.hasNext()) {
                  return false;
                }
                blob = blobs.next();
              } catch (StorageException e) {
                throw new UncheckedIOException(errors.translate(e, "list", "", GcsStorage.this.prefix + prefix));
              }
              String objectName = blob.getName();
              if (!objectName.startsWith(GcsStorage.this.prefix) || objectName.endsWith("/")) {
                continue; // folder placeholders made by consoles are not objects of the store
              }
              String key = objectName.substring(GcsStorage.this.prefix.length());
              if (skipFrom && StorageKeys.ORDER.compare(key, startAfter) <= 0) {
                continue;
              }
              next = info(key, blob);
            }
            return true;
          }

          @Override
          public ObjectInfo next() {
            if (!hasNext()) {
              throw new java.util.NoSuchElementException();
            }
            ObjectInfo r = next;
            next = null;
            return r;
          }
        };
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(infos, Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  @Override
  public PutOutcome putIfAbsent(String key, Content content) throws IOException {
    String name = name(key);
    try {
      write(key, name, content, true);
      return PutOutcome.CREATED;
    } catch (StorageException e) {
      if (e.getCode() == 412) {
        return PutOutcome.ALREADY_EXISTS;
      }
      throw errors.translate(e, "create", key, name);
    }
  }

  @Override
  public void put(String key, Content content) throws IOException {
    String name = name(key);
    try {
      write(key, name, content, false);
    } catch (StorageException e) {
      throw errors.translate(e, "write", key, name);
    }
  }

  private void write(String key, String name, Content content, boolean createOnly) throws IOException {
    long length = content.length();
    BlobInfo info = BlobInfo.newBuilder(BlobId.of(bucket, name)).setContentType(CONTENT_TYPE).build();
    if (length <= properties.directUploadMax()) {
      byte[] bytes = readExactly(key, content, length);
      BlobTargetOption[] options =
          createOnly
              ? new BlobTargetOption[] {BlobTargetOption.doesNotExist(), BlobTargetOption.disableGzipContent()}
              : new BlobTargetOption[] {BlobTargetOption.disableGzipContent()};
      client.create(info, bytes, options);
      return;
    }
    List<BlobWriteOption> options = new ArrayList<>();
    options.add(BlobWriteOption.expectedObjectSize(length));
    if (createOnly) {
      options.add(BlobWriteOption.doesNotExist());
    }
    WriteChannel channel = client.writer(info, options.toArray(BlobWriteOption[]::new));
    channel.setChunkSize(Math.toIntExact(properties.chunkSize()));
    long written = 0;
    try (InputStream in = content.openStream()) {
      byte[] buffer = new byte[COPY_BUFFER];
      int n;
      while ((n = in.read(buffer)) > 0) {
        written += n;
        if (written > length) {
          throw lengthMismatch(key, length, "more");
        }
        ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
        while (chunk.hasRemaining()) {
          channel.write(chunk);
        }
      }
    }
    if (written != length) {
      throw lengthMismatch(key, length, "only " + written);
    }
    // Only a complete upload is finalized: on any failure above the session is abandoned
    // unfinished, and GCS discards it without ever showing an object.
    channel.close();
  }

  private byte[] readExactly(String key, Content content, long length) throws IOException {
    try (InputStream in = content.openStream()) {
      byte[] bytes = in.readNBytes((int) length);
      if (bytes.length != length) {
        throw lengthMismatch(key, length, "only " + bytes.length);
      }
      if (in.read() >= 0) {
        throw lengthMismatch(key, length, "more");
      }
      return bytes;
    }
  }

  private IOException lengthMismatch(String key, long declared, String actual) {
    return new IOException(
        "content for " + key + " in " + location + " declared " + declared + " bytes but its stream yielded " + actual
            + "; nothing was written. The source changed while uploading: retry once it is stable");
  }

  @Override
  public boolean delete(String key) throws IOException {
    String name = name(key);
    try {
      return client.delete(BlobId.of(bucket, name));
    } catch (StorageException e) {
      throw errors.translate(e, "delete", key, name);
    }
  }

  @Override
  public void close() throws IOException {
    if (ownsClient) {
      try {
        client.close();
      } catch (Exception e) {
        throw new IOException("cannot close the GCS client of " + location + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public String toString() {
    return "GcsStorage[" + location + "]";
  }
}
