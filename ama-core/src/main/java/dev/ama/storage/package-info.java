/**
 * The storage backends built into {@code ama-core}: {@link dev.ama.storage.FileSystemStorage} for
 * plain paths and {@code file:} URIs, {@link dev.ama.storage.InMemoryStorage} for {@code mem:}.
 */
package dev.ama.storage;
