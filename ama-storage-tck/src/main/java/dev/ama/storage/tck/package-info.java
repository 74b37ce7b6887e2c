/**
 * The storage contract suite: {@link dev.ama.storage.tck.StorageContract}, an abstract JUnit 5
 * class that a backend's test extends to inherit every test of the storage SPI's contract, and
 * {@link dev.ama.storage.tck.StorageFixture}, what the binding hands it for each test.
 *
 * <p>The contract itself is written in {@code docs/storage-spi.md}. All parameters and return
 * values are non-null unless documented otherwise.
 */
package dev.ama.storage.tck;
