/**
 * The storage SPI: the few primitives AMA needs from a place that holds bytes under string keys.
 *
 * <p>A backend implements {@link dev.ama.spi.Storage} and registers a
 * {@link dev.ama.spi.StorageProvider} through {@link java.util.ServiceLoader}; AMA finds it by the
 * scheme of a store URI. Everything AMA builds (content-addressed blobs, manifests, append-only
 * alias logs, indexes) rests on one concurrency primitive, {@link
 * dev.ama.spi.Storage#putIfAbsent create-only put}. The contract is specified in prose in
 * {@code docs/storage-spi.md} and executed by the {@code ama-storage-tck} module.
 *
 * <p>All parameters and return values are non-null unless documented otherwise.
 */
package dev.ama.spi;
