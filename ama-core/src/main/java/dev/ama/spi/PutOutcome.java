package dev.ama.spi;

/** What a {@link Storage#putIfAbsent create-only put} did: an outcome, not an error. */
public enum PutOutcome {
  /** This call created the object. */
  CREATED,
  /** An object already had the key; it was left as it was. */
  ALREADY_EXISTS
}
