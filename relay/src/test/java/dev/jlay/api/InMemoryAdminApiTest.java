package dev.jlay.api;

import dev.jlay.store.InMemoryStorage;
import dev.jlay.store.Storage;

class InMemoryAdminApiTest extends AdminApiContract {
    @Override
    protected Storage newStorage() {
        return new InMemoryStorage();
    }
}
