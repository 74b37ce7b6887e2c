package dev.ama.spi;

import java.io.IOException;

/**
 * The backend does not offer the requested operation, such as a write to a read-only mirror or
 * a listing on a backend without {@link StorageCapability#LIST}.
 */
public class UnsupportedStorageOperationException extends IOException {
  private static final long serialVersionUID = 1L;

  /** @param message names the storage, the operation and what to use instead */
  public UnsupportedStorageOperationException(String message) {
    super(message);
  }
}
