package dev.ama.examples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpMirrorExampleTest {
  @TempDir Path tmp;

  @Test
  void servingLoadsTheAliasOverHttpAndFollowsItsMoves() throws Exception {
    HttpMirrorExample.Result r = HttpMirrorExample.run(tmp.resolve("store"), tmp);

    assertEquals(r.first().version(), r.loadedFirst().version());
    assertArrayEquals(new byte[] {1, 2, 3, 4}, Files.readAllBytes(r.loadedFirst().file("model.h5")));
    assertNotEquals(r.first().version(), r.second().version());
    assertEquals(r.second().version(), r.loadedSecond().version(), "the mirror must follow the moved alias");
    assertArrayEquals(new byte[] {5, 6, 7, 8, 9}, Files.readAllBytes(r.loadedSecond().file("model.h5")));
    assertTrue(r.loadedSecond().dir().startsWith(tmp.resolve("serving-cache")),
        "the serving machine's files come from its own cache: " + r.loadedSecond().dir());
    assertTrue(r.httpRequests() > 0, "nothing was read over HTTP");
  }

  @Test
  void mainRuns() throws Exception {
    HttpMirrorExample.main(new String[] {tmp.resolve("main").toString()});
    assertTrue(Files.isRegularFile(tmp.resolve("main/store/ama-store.json")), "main wrote no store");
  }
}
