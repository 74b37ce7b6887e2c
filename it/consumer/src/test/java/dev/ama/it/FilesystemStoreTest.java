package dev.ama.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ama.AssetClient;
import dev.ama.spi.StorageProvider;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ServiceLoader;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every class path of a user's project must do, whichever backends it holds. */
class FilesystemStoreTest {

  @Test
  void aVersionUploadedToAFilesystemStoreLoadsByAlias(@TempDir Path tmp) throws Exception {
    String store = tmp.resolve("store").toUri().toString();
    try (AssetClient writer = AssetClient.builder().store(store).user("job").cache(tmp.resolve("job-cache")).build();
        AssetClient reader = AssetClient.builder().store(store).user("server").cache(tmp.resolve("server-cache")).build()) {
      Smoke.uploadThenLoadByAlias(writer, reader, tmp.resolve("work"));
    }
  }

  @Test
  void serviceLoaderFindsExactlyTheBackendsOnTheClassPath() {
    // The profiles say which backends they put on the class path; the core always serves file:
    // and mem:. A missing or duplicated service file would show here.
    TreeSet<String> expected = new TreeSet<>(Arrays.asList("file", "mem"));
    if (Boolean.getBoolean("consumer.s3")) {
      expected.add("s3");
    }
    if (Boolean.getBoolean("consumer.gs")) {
      expected.add("gs");
    }
    TreeSet<String> found = new TreeSet<>();
    int providers = 0;
    for (StorageProvider provider : ServiceLoader.load(StorageProvider.class)) {
      found.addAll(provider.schemes());
      providers++;
    }
    assertEquals(expected, found);
    assertEquals(expected.size(), providers, "one provider per scheme, the core's two included: " + found);
  }
}
