package dev.jlay.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.testing.FirehoseClient;
import dev.jlay.validate.Verdict;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each injected fault is rejected by the relay's validation with the matching drop reason,
 * and the real stream around it stays whole: every real frame still passes, with no
 * discontinuity in any account's chain.
 */
class FaultInjectionTest {

    @Test
    void everyFaultIsDroppedWithItsReasonAndNothingRealIsLost() throws Exception {
        try (var fleet = Fleet.create(Fleet.Settings.of(1, 3, 0).withMaxFrames(40));
             var http = HttpClient.newHttpClient()) {
            SimHost host = fleet.hosts().getFirst();
            for (Fault f : Fault.values()) {
                if (f == Fault.GARBAGE) continue; // asked for over HTTP below, as an operator would
                host.faults().inject(f, 1);
            }
            var res = http.send(HttpRequest.newBuilder(URI.create(host.url() + "/_sim/fault?kind=garbage&count=2"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);

            try (var client = FirehoseClient.connect(host.port(), null)) {
                fleet.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> fleet.finished()
                        && client.frames.size() == host.history().head());
                assertThat(host.faults().injected()).containsEntry(Fault.GARBAGE, 2L)
                        .containsEntry(Fault.BAD_SIGNATURE, 1L).containsEntry(Fault.STALE_REV, 1L)
                        .containsEntry(Fault.BROKEN_INVERSION, 1L).containsEntry(Fault.OVERSIZED_FRAME, 1L);

                var drops = new ArrayList<String>();
                int passed = 0;
                try (var verifier = new SimVerifier(fleet.plc().url())) {
                    for (byte[] frame : client.frames) {
                        Verdict v = verifier.check(host.hostname(), frame);
                        switch (v) {
                            case Verdict.Pass p -> passed++;
                            case Verdict.Drop d -> drops.add(d.reason().label());
                            case Verdict.Discontinuity d -> throw new AssertionError("a fault broke a chain: " + d);
                        }
                    }
                }
                assertThat(passed).isEqualTo(40);
                var expected = new ArrayList<String>();
                for (Fault f : Fault.values()) expected.add(f.dropReason());
                expected.add(Fault.GARBAGE.dropReason());
                assertThat(drops).containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }

    @Test
    void aFractionOfCommitsGetsAFault() throws Exception {
        try (var fleet = Fleet.create(Fleet.Settings.of(1, 2, 0).withMaxFrames(100)
                .withMix(HostTraffic.Mix.COMMITS_ONLY))) {
            SimHost host = fleet.hosts().getFirst();
            host.faults().setFraction(Fault.GARBAGE, 0.3);
            try (var client = FirehoseClient.connect(host.port(), null)) {
                fleet.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> fleet.finished()
                        && client.frames.size() == host.history().head());
                long garbage = host.faults().injected().get(Fault.GARBAGE);
                // 100 commits at p = 0.3: 30 expected, outside [10, 55] only by a broken injector
                assertThat(garbage).isBetween(10L, 55L);
                assertThat(client.frames).hasSize((int) (100 + garbage));
                assertThat(client.frames.stream().filter(f -> (f[0] & 0xff) == 0xff).count()).isEqualTo(garbage);
            }
        }
    }

    @Test
    void faultsAreNamedAsOperatorsTypeThem() {
        assertThat(Arrays.stream(Fault.values()).map(Fault::label).toList()).isEqualTo(List.of(
                "bad-signature", "stale-rev", "broken-inversion", "oversized-frame", "garbage"));
        assertThat(Fault.parse("broken_inversion")).isEqualTo(Fault.BROKEN_INVERSION);
    }
}
