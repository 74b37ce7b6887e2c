package dev.ama.spi;

/** Optional abilities of a {@link Storage}; what is not declared must be refused clearly. */
public enum StorageCapability {
  /** {@link Storage#putIfAbsent}, {@link Storage#put} and {@link Storage#delete} work. */
  WRITE,
  /** {@link Storage#list} works. Without it, AMA can still load and download by alias. */
  LIST,
  /**
   * {@link ObjectInfo#lastModified()} from {@link Storage#stat} and {@link Storage#list} is when
   * the object was written, by a clock within a minute of the true time. Garbage collection's
   * grace period measures ages with these times, so gc refuses a store that does not declare
   * this; a backend that cannot tell when objects were written leaves it out and reports {@link
   * java.time.Instant#now()}.
   */
  MODIFICATION_TIMES
}
