package dev.jlay.metrics;

import java.util.concurrent.atomic.LongAdder;

/** A monotonically increasing count; increments do not allocate. */
public final class Counter {
    private final LongAdder value = new LongAdder();

    public void increment() {
        value.increment();
    }

    public void add(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("counters only go up: " + n);
        }
        value.add(n);
    }

    public long get() {
        return value.sum();
    }
}
