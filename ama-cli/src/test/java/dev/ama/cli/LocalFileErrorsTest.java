package dev.ama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local problems exit with 8 and say what to fix locally, never "check that the store is reachable". */
class LocalFileErrorsTest {
  @TempDir Path tmp;

  @Test
  void aDownloadFolderThatCannotBeWrittenExitsWithTheLocalFileCode() throws IOException {
    Ama ama = Ama.format1(tmp);
    StoreCommandsTest.upload(ama, "models", "my_model", "m.bin", "weights");
    Files.writeString(ama.work.resolve("blocker"), "a file where a folder is needed");
    Ama.Result r = ama.run("download", "models", "--alias", "my_model", "-o", "blocker/out");
    assertEquals(8, r.code(), r.toString());
    assertTrue(r.err().startsWith("ama: cannot write " + ama.work.resolve("blocker/out/m.bin")), r.err());
    assertTrue(r.err().endsWith("check that the download folder is a writable folder with free space\n"), r.err());
    assertFalse(r.err().contains("store is reachable"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  @Test
  void aLocalCacheThatCannotBeWrittenExitsWithTheLocalFileCode() throws IOException {
    Ama ama = Ama.format1(tmp);
    StoreCommandsTest.upload(ama, "models", "my_model", "m.bin", "weights");
    Path notAFolder = Files.writeString(tmp.resolve("cache-file"), "a file where the cache folder should be");
    ama.env.put("AMA_CACHE", notAFolder.toString());
    // compare reads parameter files through the local cache
    StoreCommandsTest.upload(ama, "params", "p", "p.yml", "lr: 0.1\n");
    Ama.Result r = ama.run("compare", "params", "p@1", "p");
    assertEquals(8, r.code(), r.toString());
    assertTrue(r.err().contains("to the local cache " + notAFolder), r.err());
    assertTrue(r.err().endsWith("Check free space and permissions, or set AMA_CACHE\n"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  @Test
  void aFileThatChangesWhileItIsUploadedExitsWithTheLocalFileCode() throws IOException {
    Ama ama = Ama.format1(tmp);
    uploadWhileTruncating(ama, "");
    assertTrue(ama.run("status").out().contains("model.h5"), "the file is still staged for the next try");
  }

  @Test
  void aFileTruncatedWhileItsPartsAreUploadedExitsWithTheLocalFileCode() throws IOException {
    uploadWhileTruncating(Ama.format1(tmp), "&parts=true");
  }

  /** Uploads model.h5 through a store that truncates it first, and expects the local-file error. */
  private void uploadWhileTruncating(Ama ama, String storeOptions) throws IOException {
    Path model = Ama.write(ama.work, "model.h5", new byte[100_000]);
    ama.env.put("AMA_STORE", "truncating:" + tmp.resolve("store") + "?file=" + model + storeOptions);
    ama.ok("init", "models");
    ama.ok("add", "model.h5");
    ama.ok("set", "--alias", "my_model");
    Ama.Result r = ama.run("upload");
    assertEquals(8, r.code(), r.toString());
    assertEquals("ama: file " + model + " changed while it was being uploaded; nothing was published. Upload it"
        + " again once the program writing it has finished\n", r.err());
  }
}
