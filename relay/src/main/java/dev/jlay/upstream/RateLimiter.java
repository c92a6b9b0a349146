package dev.jlay.upstream;

/**
 * A host's event rate limit. The reader calls {@link #acquire} before handing each event on; waiting
 * there is backpressure (the socket is not read meanwhile), not a drop.
 */
public interface RateLimiter {
    /** Blocks until one more event may pass. */
    void acquire() throws InterruptedException;

    /** True if {@link #acquire} would not wait now (no permit is taken). */
    boolean wouldWait();

    RateLimiter UNLIMITED = new RateLimiter() {
        @Override
        public void acquire() {}

        @Override
        public boolean wouldWait() {
            return false;
        }
    };
}
