package dev.ama.spi;

import java.io.IOException;

/** No object has the requested key. Every backend reports a missing key with this type. */
public class ObjectNotFoundException extends IOException {
  private static final long serialVersionUID = 1L;
  private final String key;

  /**
   * @param location the storage's {@link Storage#location()}
   * @param key the missing key
   */
  public ObjectNotFoundException(String location, String key) {
    super("no object " + key + " in " + location);
    this.key = key;
  }

  /** The key that was not found. */
  public String key() {
    return key;
  }
}
