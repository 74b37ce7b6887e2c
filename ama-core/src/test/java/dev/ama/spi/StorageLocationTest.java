package dev.ama.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.storage.FileSystemStorage;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageLocationTest {
  @TempDir Path tmp;

  @Test
  void anOpaqueUriKeepsItsNameAndItsOptions() {
    URI uri = URI.create("sqlite:rel.db?journal=wal&timeout=5s");
    assertNull(uri.getPath(), "what java.net.URI gives a provider");
    assertNull(uri.getQuery(), "what java.net.URI gives a provider");
    StorageLocation location = StorageLocation.of(uri);
    assertEquals("rel.db", location.path());
    assertEquals(Map.of("journal", "wal", "timeout", "5s"), location.query("SQLite store sqlite:rel.db"));
    assertEquals(Map.of("journal", "wal", "timeout", "5s"), StorageOptions.parseQuery(uri, "SQLite store"));
    assertEquals("sqlite:rel.db", location.withoutQuery());
    assertEquals(Optional.empty(), location.authority());
  }

  @Test
  void anOpaqueUriWithoutAQueryHasNoOptions() {
    StorageLocation location = StorageLocation.of(URI.create("mem:test%20store"));
    assertEquals("test store", location.path());
    assertEquals(Map.of(), location.query("in-memory store"));
    assertNull(location.rawQuery());
  }

  @Test
  void aHierarchicalUriGivesAuthorityPathAndQuery() {
    StorageLocation location = StorageLocation.of(URI.create("s3://bucket/models/v%201?region=eu-west-1"));
    assertEquals(Optional.of("bucket"), location.authority());
    assertEquals("/models/v 1", location.path());
    assertEquals(Map.of("region", "eu-west-1"), location.query("S3 store"));
    assertEquals("s3://bucket/models/v%201", location.withoutQuery());
    assertEquals("", StorageLocation.of(URI.create("s3://bucket")).path());
  }

  @Test
  void userInformationIsOnlyWhatTheAuthorityCarries() {
    assertTrue(StorageLocation.of(URI.create("s3://key:secret@bucket/prefix")).hasUserInfo());
    assertTrue(StorageLocation.of(URI.create("s3://key@my_bucket/prefix")).hasUserInfo(),
        "a registry-based authority (not a host name) still carries user information");
    assertFalse(StorageLocation.of(URI.create("file:///data/models@2/store/")).hasUserInfo(), "an @ in a path");
    assertFalse(StorageLocation.of(URI.create("mem:team@work")).hasUserInfo(), "an @ in an opaque name");
    assertFalse(StorageLocation.of(URI.create("s3://bucket/a@b")).hasUserInfo());
  }

  @Test
  void aPlainPathHoldingAnAtSignOpensAFileStoreAndIsNoCredential() throws Exception {
    Path root = tmp.resolve("models@2").resolve("store");
    try (Storage storage = Storages.open(root.toString())) {
      assertTrue(storage instanceof FileSystemStorage, storage.toString());
      assertTrue(storage.location().contains("models@2"), storage.location());
      assertFalse(StorageLocation.of(URI.create(storage.location())).hasUserInfo(), storage.location());
    }
  }

  @Test
  void aUriWithoutSchemeIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StorageLocation.of(URI.create("relative/path")));
    assertTrue(e.getMessage().contains("relative/path") && e.getMessage().contains("no scheme"), e.getMessage());
  }

  @Test
  void theBuiltInProvidersRefuseOptionsTheyDoNotHave() {
    IllegalArgumentException mem = assertThrows(IllegalArgumentException.class,
        () -> Storages.open("mem:opts?chunkSize=8MiB"));
    assertTrue(mem.getMessage().contains("mem:opts") && mem.getMessage().contains("chunkSize"), mem.getMessage());
    IllegalArgumentException memMap = assertThrows(IllegalArgumentException.class,
        () -> Storages.open("mem:opts", Map.of("region", "eu")));
    assertTrue(memMap.getMessage().contains("region"), memMap.getMessage());
    IllegalArgumentException file = assertThrows(IllegalArgumentException.class,
        () -> Storages.open(tmp.resolve("s").toString(), Map.of("endpoint", "x")));
    assertTrue(file.getMessage().contains("endpoint") && file.getMessage().contains("file store"), file.getMessage());
  }
}
