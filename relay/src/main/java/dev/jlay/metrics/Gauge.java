package dev.jlay.metrics;

import java.util.concurrent.atomic.AtomicLong;

/** A value that goes up and down, set by its owner. For values read at scrape time use a callback gauge. */
public final class Gauge {
    private final AtomicLong value = new AtomicLong();

    public void set(long v) {
        value.set(v);
    }

    public void add(long delta) {
        value.addAndGet(delta);
    }

    public long get() {
        return value.get();
    }
}
