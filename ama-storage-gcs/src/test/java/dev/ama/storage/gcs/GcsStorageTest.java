package dev.ama.storage.gcs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ama.spi.Content;
import dev.ama.spi.ObjectInfo;
import dev.ama.spi.ObjectNotFoundException;
import dev.ama.spi.PutOutcome;
import dev.ama.spi.Storage;
import dev.ama.spi.Storages;
import dev.ama.storage.gcs.testing.GcsTestServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GcsStorageTest {
  private static final String BUCKET = "ama-test";
  private static final AtomicInteger STORES = new AtomicInteger();
  private static GcsTestServer server;

  private String prefix;
  private Storage storage;

  @BeforeAll
  static void startServer() throws Exception {
    server = GcsTestServer.start().createBucket(BUCKET);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void openStore() throws Exception {
    prefix = "store-" + STORES.incrementAndGet();
    storage = Storages.open(server.storeUri(BUCKET, prefix));
  }

  @AfterEach
  void closeStore() throws Exception {
    storage.close();
    server.denyAccess(false);
    server.failNext(0, 503);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] readAll(InputStream in) throws Exception {
    try (in) {
      return in.readAllBytes();
    }
  }

  @Test
  void smoke() throws Exception {
    assertInstanceOf(GcsStorage.class, storage);
    assertEquals("gs://" + BUCKET + "/" + prefix, storage.location());
    assertEquals(PutOutcome.CREATED, storage.putIfAbsent("a/b", Content.ofBytes(bytes("hello"))));
    assertEquals(PutOutcome.ALREADY_EXISTS, storage.putIfAbsent("a/b", Content.ofBytes(bytes("other"))));
    assertArrayEquals(bytes("hello"), readAll(storage.open("a/b")));
    assertArrayEquals(bytes("ell"), readAll(storage.open("a/b", 1, 3)));
    Optional<ObjectInfo> info = storage.stat("a/b");
    assertEquals(5, info.orElseThrow().size());
    try (Stream<ObjectInfo> s = storage.list("")) {
      assertEquals(List.of("a/b"), s.map(ObjectInfo::key).toList());
    }
    assertThrows(ObjectNotFoundException.class, () -> storage.open("nope"));
    assertTrue(storage.delete("a/b"));
    assertFalse(storage.delete("a/b"));
    server.requests().forEach(System.out::println);
  }
}
