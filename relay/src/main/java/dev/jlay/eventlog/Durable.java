package dev.jlay.eventlog;

/**
 * Told when a submitted event is durable (its batch is synced to the log and
 * published to the ring) or failed. Runs on the sequencer thread: keep it short
 * and never block.
 */
public interface Durable {
    Durable NONE = new Durable() {
        @Override
        public void durable(long seq, byte[] frame) {
        }

        @Override
        public void failed(Throwable error) {
        }
    };

    void durable(long seq, byte[] frame);

    void failed(Throwable error);
}
