package dev.ama.spi;

import java.io.IOException;

/**
 * Something other than an object sits at a key: on a filesystem, a symbolic link, a FIFO, a socket
 * or a device where a regular file belongs. Backends refuse such keys rather than follow or read
 * them, since a FIFO blocks a reader forever and a link can lead to endless bytes ({@code
 * /dev/zero}) or anywhere outside the store.
 */
public class NotAnObjectException extends IOException {
  private static final long serialVersionUID = 1L;
  private final String key;

  /**
   * @param location the storage's {@link Storage#location()}
   * @param key the key
   * @param what what was found there instead, such as "a symbolic link"
   */
  public NotAnObjectException(String location, String key, String what) {
    super(key + " in " + location + " is " + what + ", not a regular file, so it was neither read nor followed."
        + " Only AMA should write into a store: remove it (an upload of the asset restores a missing object)");
    this.key = key;
  }

  /** The key. */
  public String key() {
    return key;
  }
}
