package dev.ama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.UploadRecords.Location;
import dev.ama.UploadRecords.UploadRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Upload records are written field by field; their bytes must stay exactly the canonical JSON that
 * docs/store-format.md specifies (a retried upload writes the same create-only object, and another
 * implementation must be able to produce it), which is what {@link Manifests#canonical} makes of
 * the same record built as a tree.
 */
class UploadRecordEncodingTest {

  @Test
  void theStreamedRecordIsByteForByteTheCanonicalJsonOfTheSameRecord() {
    List<Location> blobs = new ArrayList<>();
    Digest pack = digest("pack");
    for (int i = 0; i < 50; i++) {
      Digest blob = digest("blob " + i);
      blobs.add(i % 7 == 0 ? Location.loose(blob, 2_000_000L + i) : Location.packed(blob, 4096 + i, pack, 4096L * i));
    }
    UploadRecord r = new UploadRecord(digest("version"), "rnn_models", Instant.parse("2026-12-01T20:30:00.123Z"), blobs);

    byte[] streamed = UploadRecords.encode(r);

    assertArrayEquals(Manifests.canonical(asTree(r)), streamed, new String(streamed, StandardCharsets.UTF_8));
    assertEquals(r, UploadRecords.decode(streamed, r.key()));
  }

  @Test
  void aRecordWithoutBlobsIsCanonicalToo() {
    UploadRecord r = new UploadRecord(digest("empty"), "datasets", Instant.parse("2026-01-02T03:04:05Z"), List.of());
    assertArrayEquals(Manifests.canonical(asTree(r)), UploadRecords.encode(r));
  }

  /** The record as docs/store-format.md describes it, built as a tree with its keys in no particular order. */
  private static ObjectNode asTree(UploadRecord r) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("version", r.version().toString());
    root.put("type", r.type());
    root.put("format", 2);
    root.put("createdAt", r.createdAt().toString());
    ArrayNode arr = root.putArray("blobs");
    for (Location l : r.blobs()) {
      ObjectNode n = arr.addObject();
      l.pack().ifPresent(p -> n.put("pack", p.toString()).put("offset", l.offset()));
      n.put("size", l.size());
      n.put("digest", l.blob().toString());
    }
    return root;
  }

  private static Digest digest(String s) {
    return Digest.sha256(s.getBytes(StandardCharsets.UTF_8));
  }
}
