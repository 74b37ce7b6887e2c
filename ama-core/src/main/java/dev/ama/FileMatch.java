package dev.ama;

import java.util.List;

/**
 * A version holding a file with given bytes, from {@link AssetClient#find}.
 *
 * @param version the version
 * @param path where the bytes sit inside it
 * @param aliases the aliases of its type that point at it now
 */
public record FileMatch(AssetVersion version, String path, List<String> aliases) {
  /** Copies the list. */
  public FileMatch {
    aliases = List.copyOf(aliases);
  }
}
