package dev.ama.spi;

/** Optional abilities of a {@link Storage}; what is not declared must be refused clearly. */
public enum StorageCapability {
  /** {@link Storage#putIfAbsent}, {@link Storage#put} and {@link Storage#delete} work. */
  WRITE,
  /** {@link Storage#list} works. Without it, AMA can still load and download by alias. */
  LIST
}
