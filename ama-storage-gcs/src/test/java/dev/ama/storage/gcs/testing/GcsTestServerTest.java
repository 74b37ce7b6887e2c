package dev.ama.storage.gcs.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.NoCredentials;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BlobListOption;
import com.google.cloud.storage.Storage.BlobTargetOption;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The test server behaves as GCS's JSON API does for the parts other tests do not reach through
 * AMA's backend: delimiters, non-zero generation preconditions, generation reads, and loud 501s.
 */
class GcsTestServerTest {
  private static GcsTestServer server;
  private static Storage client;

  @BeforeAll
  static void start() throws Exception {
    server = GcsTestServer.start().createBucket("b");
    client = StorageOptions.http().setHost(server.endpoint()).setProjectId("test")
        .setCredentials(NoCredentials.getInstance()).build().getService();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aDelimiterGroupsNamesIntoPrefixes() {
    for (String name : List.of("d/a/1", "d/a/2", "d/b", "d/c/x/y", "e")) {
      client.create(BlobInfo.newBuilder("b", name).build(), bytes(name));
    }
    List<String> items = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    for (Blob blob : client.list("b", BlobListOption.prefix("d/"), BlobListOption.delimiter("/"), BlobListOption.pageSize(2)).iterateAll()) {
      (blob.isDirectory() ? prefixes : items).add(blob.getName());
    }
    assertEquals(List.of("d/b"), items);
    assertEquals(List.of("d/a/", "d/c/"), prefixes);
  }

  @Test
  void generationPreconditionsAndGenerationReadsFollowGcs() {
    Blob first = client.create(BlobInfo.newBuilder("b", "g").build(), bytes("one"), BlobTargetOption.doesNotExist());
    long g1 = first.getGeneration();
    StorageException stale = assertThrows(StorageException.class,
        () -> client.create(BlobInfo.newBuilder(BlobId.of("b", "g", g1 + 1)).build(), bytes("x"), BlobTargetOption.generationMatch()));
    assertEquals(412, stale.getCode());
    Blob second = client.create(BlobInfo.newBuilder(BlobId.of("b", "g", g1)).build(), bytes("two"), BlobTargetOption.generationMatch());
    assertTrue(second.getGeneration() > g1, "a new generation on every write");
    assertEquals(1, second.getMetageneration(), "a new object starts at metageneration 1");
    assertNull(client.get(BlobId.of("b", "g", g1)), "the overwritten generation is gone (no versioning)");
    assertArrayEquals(bytes("two"), client.readAllBytes(BlobId.of("b", "g", second.getGeneration())));
    assertEquals(412, assertThrows(StorageException.class,
        () -> client.delete(BlobId.of("b", "g"), Storage.BlobSourceOption.generationMatch(g1))).getCode());
    assertTrue(client.delete(BlobId.of("b", "g"), Storage.BlobSourceOption.generationMatch(second.getGeneration())));
  }

  @Test
  void unsupportedRequestsAreAnswered501() {
    StorageException e = assertThrows(StorageException.class, () -> client.create(BucketInfo.of("new-bucket")));
    assertEquals(501, e.getCode());
    assertTrue(e.getMessage().contains("does not implement"), e.getMessage());
  }

  @Test
  void aMissingBucketIs404WithGcsMessage() {
    StorageException e = assertThrows(StorageException.class, () -> client.list("nope").iterateAll().iterator().hasNext());
    assertEquals(404, e.getCode());
    assertTrue(e.getMessage().contains("bucket does not exist"), e.getMessage());
    assertNull(client.get("nope"));
  }
}
