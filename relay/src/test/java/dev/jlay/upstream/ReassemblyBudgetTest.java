package dev.jlay.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/**
 * The relay-wide bound on the partial messages all host readers hold: a reader whose buffer would
 * pass it lets go of its part and ends its connection ({@link WsEvent.ReassemblyFull}); the others
 * keep theirs and complete, and what a completed or abandoned message held is free again.
 */
class ReassemblyBudgetTest {
    private static final int MAX = 100_000;

    /** Counts request(n) calls; nothing else of a WebSocket is used by the reassembler. */
    private static final class RequestCounter implements WebSocket {
        long requested;

        @Override public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) { throw new UnsupportedOperationException(); }
        @Override public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) { throw new UnsupportedOperationException(); }
        @Override public CompletableFuture<WebSocket> sendPing(ByteBuffer message) { throw new UnsupportedOperationException(); }
        @Override public CompletableFuture<WebSocket> sendPong(ByteBuffer message) { throw new UnsupportedOperationException(); }
        @Override public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) { throw new UnsupportedOperationException(); }
        @Override public void request(long n) { requested += n; }
        @Override public String getSubprotocol() { return ""; }
        @Override public boolean isOutputClosed() { return false; }
        @Override public boolean isInputClosed() { return false; }
        @Override public void abort() { }
    }

    private static CompletionStage<?> part(MessageReassembler r, WebSocket ws, int bytes, boolean last) {
        return r.onBinary(ws, ByteBuffer.wrap(new byte[bytes]), last);
    }

    @Test
    void aReaderThatWouldPassTheBudgetLetsGoAndEndsItsConnection() {
        var buffers = new ReassemblyBuffers(3, MAX, MAX); // three hosts, room for one whole frame in all
        var eventsA = new LinkedBlockingQueue<WsEvent>();
        var eventsB = new LinkedBlockingQueue<WsEvent>();
        var a = new MessageReassembler(eventsA, MAX, buffers);
        var b = new MessageReassembler(eventsB, MAX, buffers);
        var wsA = new RequestCounter();
        var wsB = new RequestCounter();

        part(a, wsA, 40_000, false); // a's first part, held at its exact size
        assertThat(buffers.bytes()).isEqualTo(40_000);
        part(a, wsA, 1_000, false); // a part in between doubles a's buffer: 80,000 of the 100,000
        assertThat(buffers.bytes()).isEqualTo(80_000);
        part(b, wsB, 25_000, false); // b would need 25,000 more

        assertThat(eventsB.poll()).isEqualTo(new WsEvent.ReassemblyFull(80_000));
        assertThat(wsB.requested).as("b asks for nothing more").isZero();
        assertThat(buffers.refusals()).isEqualTo(1);
        assertThat(buffers.entries()).isEqualTo(1);
        part(b, wsB, 10_000, true); // the rest of b's message, before its reader closed: not held
        assertThat(eventsB).isEmpty();
        assertThat(buffers.bytes()).isEqualTo(80_000);

        part(a, wsA, 9_000, true);
        var whole = (WsEvent.Message) eventsA.poll();
        assertThat(whole.bytes()).hasSize(50_000);
        assertThat(buffers.bytes()).isZero();
        assertThat(buffers.entries()).isZero();

        // b's reader reconnects: the budget has room again
        var again = new MessageReassembler(eventsB, MAX, buffers);
        part(again, wsB, 10_000, false);
        part(again, wsB, 10_000, true);
        assertThat(((WsEvent.Message) eventsB.poll()).bytes()).hasSize(20_000);
        assertThat(buffers.bytes()).isZero();
        assertThat(buffers.byteCapacity()).isEqualTo(MAX);
    }

    /** Splits {@code message} at {@code cuts} and feeds the parts; returns the message handed on. */
    private static byte[] joined(MessageReassembler r, ReassemblyBuffers buffers, byte[] message, int... cuts) {
        var ws = new RequestCounter();
        int from = 0;
        long peak = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : message.length;
            // a read-only slice of a larger buffer, as the JDK hands parts over
            var part = ByteBuffer.wrap(message, from, to - from).slice().asReadOnlyBuffer();
            r.onBinary(ws, part, i == cuts.length);
            peak = Math.max(peak, buffers.bytes());
            from = to;
        }
        assertThat(peak).as("the partial buffer never passes twice the message").isLessThanOrEqualTo(2L * message.length);
        assertThat(buffers.bytes()).as("nothing partial is held after the last part").isZero();
        return message;
    }

    @Test
    void splitMessagesAreHandedOnByteForByteAtTheirExactSize() {
        var buffers = new ReassemblyBuffers(1, MAX);
        var events = new LinkedBlockingQueue<WsEvent>();
        var r = new MessageReassembler(events, MAX, buffers);
        var random = new java.util.Random(16);
        byte[] frame = new byte[2_500];
        random.nextBytes(frame);

        r.onBinary(new RequestCounter(), ByteBuffer.wrap(frame, 0, 1_100).slice(), false);
        assertThat(buffers.bytes()).as("the first part is held at its own size").isEqualTo(1_100);
        r.onBinary(new RequestCounter(), ByteBuffer.wrap(frame, 1_100, 1_400).slice(), true);
        var two = (WsEvent.Message) events.poll();
        assertThat(two.bytes()).isEqualTo(frame).hasSize(frame.length);
        assertThat(buffers.bytes()).isZero();

        int[][] splits = {{1}, {2_499}, {1, 2, 3}, {700, 1_400, 2_100}, {0, 0, 2_500}};
        for (int[] cuts : splits) {
            joined(r, buffers, frame, cuts);
            assertThat(((WsEvent.Message) events.poll()).bytes()).as("cuts %s", java.util.Arrays.toString(cuts))
                    .isEqualTo(frame);
        }
        int[] bytewise = new int[frame.length - 1]; // a host that sends one byte per fragment
        for (int i = 0; i < bytewise.length; i++) bytewise[i] = i + 1;
        joined(r, buffers, frame, bytewise);
        assertThat(((WsEvent.Message) events.poll()).bytes()).isEqualTo(frame);
        assertThat(events).isEmpty();
    }

    @Test
    void theBudgetIsExportedAsTheByteBoundAndMustHoldOneFrame() {
        assertThat(new ReassemblyBuffers(10_000, 5 << 20, 256L << 20).byteCapacity()).isEqualTo(256L << 20);
        assertThat(new ReassemblyBuffers(2, 5 << 20, 256L << 20).byteCapacity()).isEqualTo(10L << 20);
        assertThatThrownBy(() -> new ReassemblyBuffers(2, 5 << 20, 1 << 20))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
