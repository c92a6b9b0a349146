package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A worker inbox is bounded in bytes as well as frames; a put past either bound waits, never drops. */
class WorkerInboxTest {

    private static InboundFrame frame(int size) {
        return new InboundFrame("did:plc:a", "#commit", "host", new byte[size]);
    }

    /** Puts on a virtual thread; the future completes with put's answer once it returns. */
    private static CompletableFuture<Boolean> putLater(WorkerInbox inbox, InboundFrame f) {
        var done = new CompletableFuture<Boolean>();
        Thread.ofVirtual().start(() -> {
            try {
                done.complete(inbox.put(f));
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** Waits until the putter has had time to reach its wait and checks it is still waiting. */
    private static void assertWaiting(WorkerInbox inbox, CompletableFuture<Boolean> put, int queued) {
        await().during(200, TimeUnit.MILLISECONDS).atMost(5, TimeUnit.SECONDS)
                .until(() -> !put.isDone() && inbox.size() == queued);
    }

    @Test
    void aPutThatWouldPassTheByteBoundWaitsUntilATakeMakesRoom() throws Exception {
        var inbox = new WorkerInbox(100, 10_000);
        assertThat(inbox.put(frame(4_000))).isTrue();
        assertThat(inbox.put(frame(4_000))).isTrue();
        assertThat(inbox.offer(frame(4_000))).as("offer never waits: no room in bytes").isFalse();

        var third = putLater(inbox, frame(4_000));
        assertWaiting(inbox, third, 2);
        assertThat(inbox.bytes()).isEqualTo(8_000);
        assertThat(inbox.size()).as("far below the entry bound: bytes hold it").isLessThan(inbox.capacity());

        assertThat(inbox.take(TimeUnit.SECONDS.toNanos(5))).isInstanceOf(InboundFrame.class);
        inbox.done();
        assertThat(third.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(inbox.bytes()).isEqualTo(8_000);
        assertThat(inbox.size()).isEqualTo(2);
    }

    @Test
    void oneFrameLargerThanTheWholeBoundPassesAnEmptyInboxAndTheNextWaitsForIt() throws Exception {
        var inbox = new WorkerInbox(100, 10_000);
        assertThat(inbox.put(frame(50_000))).as("alone, it must pass, or its host would wait forever").isTrue();
        assertThat(inbox.bytes()).isEqualTo(50_000);
        assertThat(inbox.offer(frame(1))).isFalse();

        var small = putLater(inbox, frame(1));
        assertWaiting(inbox, small, 1);
        var big = (InboundFrame) inbox.take(TimeUnit.SECONDS.toNanos(5));
        inbox.done();
        assertThat(big.size()).isEqualTo(50_000);
        assertThat(small.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(inbox.bytes()).isEqualTo(1);
    }

    @Test
    void aTakeOfABigFrameLetsSeveralSmallWaitersIn() throws Exception {
        var inbox = new WorkerInbox(100, 10_000);
        inbox.put(frame(9_000));
        inbox.put(frame(1_000));
        var waiting = new java.util.ArrayList<CompletableFuture<Boolean>>();
        for (int i = 0; i < 5; i++) waiting.add(putLater(inbox, frame(1_000)));
        await().during(200, TimeUnit.MILLISECONDS).atMost(5, TimeUnit.SECONDS)
                .until(() -> waiting.stream().noneMatch(CompletableFuture::isDone));
        inbox.take(TimeUnit.SECONDS.toNanos(5)); // frees 9,000 bytes: room for all five
        inbox.done();
        CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        assertThat(inbox.size()).isEqualTo(6);
        assertThat(inbox.bytes()).isEqualTo(6_000);
    }

    @Test
    void theEntryBoundStillHolds() throws Exception {
        var inbox = new WorkerInbox(2, 1 << 20);
        inbox.put(frame(1));
        inbox.put(frame(1));
        var third = putLater(inbox, frame(1));
        assertWaiting(inbox, third, 2);
        inbox.take(TimeUnit.SECONDS.toNanos(5));
        inbox.done();
        assertThat(third.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void closeReleasesAWaitingPutWithFalse() throws Exception {
        var inbox = new WorkerInbox(100, 10);
        inbox.put(frame(10));
        var waiting = putLater(inbox, frame(10));
        assertWaiting(inbox, waiting, 1);
        inbox.close();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void thePoolSplitsItsByteBoundEvenlyBetweenWorkers() {
        var parking = FrameWorkerPool.Config.defaults().parking();
        var config = new FrameWorkerPool.Config(4, 1024, 1_000, parking);
        assertThat(config.inboxBytes()).isEqualTo(250);
        assertThat(new FrameWorkerPool.Config(4, 1024, 2, parking).inboxBytes()).as("never zero").isEqualTo(1);
    }
}
