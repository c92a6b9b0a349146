package dev.jlay.upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test {@link FrameSink}: one bounded queue (the pipeline has one per worker). The test drains it
 * (or not, to make it full).
 */
final class QueueFrameSink implements FrameSink {
    final BlockingQueue<UpstreamFrame> queue;

    QueueFrameSink(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    @Override
    public boolean offer(UpstreamFrame frame) {
        return queue.offer(frame);
    }

    @Override
    public void put(UpstreamFrame frame) throws InterruptedException {
        queue.put(frame);
    }

    /** Takes {@code n} frames, waiting up to {@code seconds} in total. */
    List<UpstreamFrame> take(int n, long seconds) throws InterruptedException {
        var out = new ArrayList<UpstreamFrame>(n);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (out.size() < n) {
            UpstreamFrame f = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (f == null) {
                throw new AssertionError("only " + out.size() + " of " + n + " frames arrived");
            }
            out.add(f);
        }
        return out;
    }
}
