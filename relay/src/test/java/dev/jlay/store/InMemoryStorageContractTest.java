package dev.jlay.store;

/** The in-memory stand-in meets the same contract as PostgreSQL. */
class InMemoryStorageContractTest extends StorageContract {
    @Override
    protected Storage newStorage() {
        return new InMemoryStorage();
    }
}
