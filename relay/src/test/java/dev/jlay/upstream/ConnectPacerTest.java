package dev.jlay.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** 10,000 hosts that want to reconnect at the same instant get slots spread at the pace, in order. */
class ConnectPacerTest {
    @Test
    void aStormOfAttemptsIsSpreadOneSlotApart() {
        var pacer = new ConnectPacer(200);
        long now = 1_000_000_000L;
        var waits = new ArrayList<Long>();
        for (int i = 0; i < 10_000; i++) waits.add(pacer.reserve(now));
        assertThat(waits.getFirst()).isZero();
        assertThat(waits.get(1)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(5));
        assertThat(waits.getLast()).as("the last of 10,000 at 200/s waits ~50 s").isEqualTo(9_999 * 5_000_000L);
        // later, once the slots are past, an attempt goes at once again
        assertThat(pacer.reserve(now + TimeUnit.SECONDS.toNanos(60))).isZero();
    }

    @Test
    void zeroMeansNoPacing() {
        var pacer = new ConnectPacer(0);
        for (int i = 0; i < 100; i++) assertThat(pacer.reserve(5)).isZero();
    }
}
