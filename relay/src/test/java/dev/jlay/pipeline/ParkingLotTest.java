package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ParkingLotTest {

    private static InboundFrame frame(String did, int size, int tag) {
        var b = new byte[size];
        b[0] = (byte) tag;
        return new InboundFrame(did, "#commit", "h", b);
    }

    @Test
    void keepsEachDidsOrderAndAccountsBytes() {
        var gauges = new ParkingLot.Gauges();
        var lot = new ParkingLot(new ParkingLot.Limits(100, 10_000, 50, 1_000_000_000L), gauges);
        for (int i = 0; i < 5; i++) {
            assertThat(lot.park(frame("did:a", 10, i), 0)).isTrue();
            assertThat(lot.park(frame("did:b", 20, i), 0)).isTrue();
        }
        assertThat(lot.frames()).isEqualTo(10);
        assertThat(gauges.bytes()).isEqualTo(150);
        var a = lot.release("did:a");
        assertThat(a).extracting(f -> (int) f.bytes()[0]).containsExactly(0, 1, 2, 3, 4);
        assertThat(lot.has("did:a")).isFalse();
        assertThat(lot.has("did:b")).isTrue();
        assertThat(gauges.frames()).isEqualTo(5);
        assertThat(gauges.bytes()).isEqualTo(100);
    }

    @Test
    void refusesWhatWouldExceedFramesBytesOrPerDidShare() {
        var lot = new ParkingLot(new ParkingLot.Limits(3, 100, 2, 1_000_000_000L), new ParkingLot.Gauges());
        assertThat(lot.park(frame("did:a", 10, 0), 0)).isTrue();
        assertThat(lot.park(frame("did:a", 10, 1), 0)).isTrue();
        assertThat(lot.park(frame("did:a", 10, 2), 0)).as("per-DID bound").isFalse();
        assertThat(lot.park(frame("did:b", 81, 0), 0)).as("byte bound").isFalse();
        assertThat(lot.park(frame("did:b", 80, 0), 0)).isTrue();
        assertThat(lot.park(frame("did:c", 1, 0), 0)).as("frame bound").isFalse();
        assertThat(lot.frames()).isEqualTo(3);
        assertThat(lot.bytes()).isEqualTo(100);
    }

    @Test
    void expiresOnlyFramesOlderThanTheAgeBound() {
        var lot = new ParkingLot(new ParkingLot.Limits(100, 10_000, 50, 1000), new ParkingLot.Gauges());
        lot.park(frame("did:a", 1, 0), 0);
        lot.park(frame("did:a", 1, 1), 600);
        lot.park(frame("did:b", 1, 2), 700);
        assertThat(lot.nanosUntilNextExpiry(0)).isEqualTo(1001);
        assertThat(lot.expire(1000)).isEmpty();
        assertThat(lot.expire(1001)).extracting(f -> (int) f.bytes()[0]).containsExactly(0);
        assertThat(lot.expire(1701)).extracting(f -> (int) f.bytes()[0]).containsExactly(1, 2);
        assertThat(lot.dids()).isZero();
        assertThat(lot.nanosUntilNextExpiry(2000)).isEqualTo(-1);
    }

    @Test
    void parkFirstPutsAFrameBackAtTheHead() {
        var lot = new ParkingLot(new ParkingLot.Limits(100, 10_000, 50, 1000), new ParkingLot.Gauges());
        lot.park(frame("did:a", 1, 1), 0);
        lot.parkFirst(frame("did:a", 1, 0), 0);
        assertThat(lot.release("did:a")).extracting(f -> (int) f.bytes()[0]).containsExactly(0, 1);
    }

    @Test
    void randomOperationsNeverBreakTheBoundsOrTheAccounting() {
        var rnd = new Random(42);
        var gauges = new ParkingLot.Gauges();
        var limits = new ParkingLot.Limits(40, 2_000, 8, 500);
        var lot = new ParkingLot(limits, gauges);
        var model = new HashMap<String, List<Integer>>();
        long now = 0;
        for (int i = 0; i < 20_000; i++) {
            now += rnd.nextInt(20);
            String did = "did:" + rnd.nextInt(10);
            switch (rnd.nextInt(4)) {
                case 0, 1 -> {
                    if (lot.park(frame(did, 1 + rnd.nextInt(120), i & 0x7f), now)) {
                        model.computeIfAbsent(did, k -> new ArrayList<>()).add(i & 0x7f);
                    }
                }
                case 2 -> {
                    var got = lot.release(did).stream().map(f -> (int) f.bytes()[0]).toList();
                    assertThat(got).isEqualTo(model.getOrDefault(did, List.of()));
                    model.remove(did);
                }
                default -> {
                    for (var f : lot.expire(now)) {
                        var line = model.get(f.did());
                        assertThat(line.removeFirst()).isEqualTo((int) f.bytes()[0]);
                        if (line.isEmpty()) model.remove(f.did());
                    }
                }
            }
            assertThat(lot.frames()).isLessThanOrEqualTo(limits.maxFrames());
            assertThat(lot.bytes()).isLessThanOrEqualTo(limits.maxBytes());
            assertThat(gauges.frames()).isEqualTo(lot.frames());
            assertThat(gauges.bytes()).isEqualTo(lot.bytes());
            assertThat(lot.frames()).isEqualTo(model.values().stream().mapToInt(List::size).sum());
        }
    }
}
