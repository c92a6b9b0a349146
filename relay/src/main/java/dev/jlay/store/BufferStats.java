package dev.jlay.store;

/** A bounded structure of the store, for relay_buffer_entries / _capacity / _bytes. */
public record BufferStats(String name, long entries, long capacity, long bytes) {
}
