/**
 * The Google Cloud Storage backend: {@code gs://bucket/prefix} stores, found through {@link
 * java.util.ServiceLoader} by {@link dev.ama.spi.Storages}. Options are documented in {@link
 * dev.ama.storage.gcs.GcsProperties}; see {@code docs/gcs.md} for credentials and testing.
 *
 * <p>All parameters and return values are non-null unless documented otherwise.
 */
package dev.ama.storage.gcs;
