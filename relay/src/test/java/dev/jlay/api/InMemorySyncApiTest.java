package dev.jlay.api;

import dev.jlay.store.InMemoryStorage;
import dev.jlay.store.Storage;

class InMemorySyncApiTest extends SyncApiContract {
    @Override
    protected Storage newStorage() {
        return new InMemoryStorage();
    }
}
