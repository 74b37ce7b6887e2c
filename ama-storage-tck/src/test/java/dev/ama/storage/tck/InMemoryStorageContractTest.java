package dev.ama.storage.tck;

import dev.ama.spi.StorageCapability;
import dev.ama.spi.Storages;
import dev.ama.storage.InMemoryStorage;
import java.util.Map;

/** The contract on {@link InMemoryStorage}, opened the way users do: {@code mem:NAME}. */
class InMemoryStorageContractTest extends StorageContract {
  @Override
  protected StorageFixture createFixture(String testId) throws Exception {
    return StorageFixture.builder(Storages.open("mem:" + testId))
        .expectType(InMemoryStorage.class)
        .expectLocationPrefix("mem:" + testId)
        .capabilities(StorageCapability.WRITE, StorageCapability.LIST, StorageCapability.MODIFICATION_TIMES)
        .holdsObjectsInHeap()
        .openedAs("mem:" + testId, Map.of())
        .inProcessOnly()
        .build();
  }
}
