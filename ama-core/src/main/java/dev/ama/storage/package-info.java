/**
 * The storage backends built into {@code ama-core}: {@link dev.ama.storage.FileSystemStorage} for
 * plain paths and {@code file:} URIs, {@link dev.ama.storage.InMemoryStorage} for {@code mem:}.
 *
 * <p>All parameters and return values are non-null unless documented otherwise.
 */
package dev.ama.storage;
