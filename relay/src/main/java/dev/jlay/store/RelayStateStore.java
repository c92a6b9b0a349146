package dev.jlay.store;

import java.util.Optional;

/** Small key/value facts about the relay itself (e.g. instance id, schema notes). */
public interface RelayStateStore {
    Optional<String> get(String key);

    void put(String key, String value);
}
