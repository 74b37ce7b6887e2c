package dev.ama.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * What a storage knows about one object.
 *
 * @param key the object's key
 * @param size its length in bytes
 * @param lastModified when it was written, as the storage records it; used by garbage
 *     collection's grace period, so backends that cannot tell should report {@link Instant#now()}
 *     (the object then always looks young, which is the safe side)
 */
public record ObjectInfo(String key, long size, Instant lastModified) {
  /** Validates the fields. */
  public ObjectInfo {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(lastModified, "lastModified");
    if (size < 0) {
      throw new IllegalArgumentException("size of " + key + " is negative: " + size);
    }
  }
}
