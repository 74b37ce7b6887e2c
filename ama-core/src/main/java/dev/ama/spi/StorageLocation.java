package dev.ama.spi;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A store URI as a {@link StorageProvider} receives it, parsed the same way for every shape, so
 * that no shape loses its path or its options.
 *
 * <p>{@link URI} parses two shapes differently. A <em>hierarchical</em> URI ({@code
 * s3://bucket/prefix?region=eu}, {@code file:///data/store}, {@code sqlite:///data/a.db}) has a
 * path and a query. An <em>opaque</em> one, whose scheme is not followed by {@code /} ({@code
 * mem:test}, {@code sqlite:rel.db?journal=wal}), has neither: {@link URI#getPath()} and {@link
 * URI#getQuery()} are null and everything after the scheme is the scheme-specific part, so a
 * provider reading options from {@code getQuery()} would silently ignore them. Here both shapes
 * have a {@link #path()} and a {@link #query(String) query}:
 *
 * <table>
 *   <caption>What each shape gives</caption>
 *   <tr><th>location</th><th>{@link #authority()}</th><th>{@link #path()}</th><th>{@link #query(String)}</th></tr>
 *   <tr><td>{@code s3://bucket/models?region=eu}</td><td>{@code bucket}</td><td>{@code /models}</td><td>{@code region=eu}</td></tr>
 *   <tr><td>{@code file:///data/store/}</td><td>none</td><td>{@code /data/store/}</td><td>none</td></tr>
 *   <tr><td>{@code sqlite:rel.db?journal=wal}</td><td>none</td><td>{@code rel.db}</td><td>{@code journal=wal}</td></tr>
 *   <tr><td>{@code mem:test}</td><td>none</td><td>{@code test}</td><td>none</td></tr>
 * </table>
 *
 * <p>A plain path given to {@link Storages#open} ({@code /data/store}, {@code ./a@b}) reaches the
 * filesystem provider as an absolute {@code file:} URI; an {@code @} in it is part of the path,
 * not user information.
 */
public final class StorageLocation {
  private final URI uri;
  private final String path;
  private final String rawQuery;

  private StorageLocation(URI uri, String path, String rawQuery) {
    this.uri = uri;
    this.path = path;
    this.rawQuery = rawQuery;
  }

  /**
   * Parses a store URI.
   *
   * @throws IllegalArgumentException if the URI has no scheme
   */
  public static StorageLocation of(URI uri) {
    Objects.requireNonNull(uri, "uri");
    if (uri.getScheme() == null) {
      throw new IllegalArgumentException("store location '" + uri + "' has no scheme; write SCHEME:..., such as"
          + " s3://bucket/prefix, or give a plain path to Storages.open");
    }
    if (!uri.isOpaque()) {
      return new StorageLocation(uri, uri.getPath() == null ? "" : uri.getPath(), uri.getRawQuery());
    }
    // An opaque URI keeps its query inside the scheme-specific part; split it off as a query would be.
    String raw = uri.getRawSchemeSpecificPart();
    int q = raw.indexOf('?');
    String rawPath = q < 0 ? raw : raw.substring(0, q);
    return new StorageLocation(uri, URI.create("x:" + rawPath).getSchemeSpecificPart(), q < 0 ? null : raw.substring(q + 1));
  }

  /** The URI as given. */
  public URI uri() {
    return uri;
  }

  /** The scheme, lower case. */
  public String scheme() {
    return uri.getScheme().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The authority (a bucket, a host and port), raw, with any user information in it; empty for
   * opaque URIs and for {@code file:///...}.
   */
  public Optional<String> authority() {
    return Optional.ofNullable(uri.getRawAuthority()).filter(a -> !a.isEmpty());
  }

  /**
   * Whether the authority carries user information ({@code s3://key:secret@bucket}), which a
   * location must never hold: locations appear in messages and logs. An {@code @} in a path or
   * an opaque URI's name is not user information.
   */
  public boolean hasUserInfo() {
    return authority().map(a -> a.contains("@")).orElse(false);
  }

  /**
   * The path, percent-decoded: for a hierarchical URI its path ({@code ""} if none), for an
   * opaque one what follows the scheme up to {@code ?}.
   */
  public String path() {
    return path;
  }

  /** The raw query, for opaque URIs too; null without one. */
  public String rawQuery() {
    return rawQuery;
  }

  /**
   * The query's options, parsed by {@link StorageOptions#parseQuery(URI, String)}'s rules, for
   * opaque URIs too.
   *
   * @param context names the store in messages, such as {@code "SQLite store sqlite:rel.db"}
   */
  public Map<String, String> query(String context) {
    return StorageOptions.parseRawQuery(rawQuery, context);
  }

  /** The URI without its query (and fragment), to name the store in messages. */
  public String withoutQuery() {
    String s = uri.toString();
    int cut = s.indexOf('?');
    if (cut < 0) {
      cut = s.indexOf('#');
    }
    return cut < 0 ? s : s.substring(0, cut);
  }

  @Override
  public String toString() {
    return uri.toString();
  }
}
