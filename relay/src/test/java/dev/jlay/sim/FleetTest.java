package dev.jlay.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.RepoOp;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.validate.Verdict;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fleet over real loopback WebSockets: every frame decodes, and every frame passes the
 * relay's strict validation against the PLC stub's documents, on the host the documents name.
 */
class FleetTest {

    @Test
    void everyFrameDecodesAndVerifiesAgainstThePlcStub() throws Exception {
        var settings = Fleet.Settings.of(2, 6, 0).withMaxFrames(400).withMix(new HostTraffic.Mix(30, 30, 30));
        try (var fleet = Fleet.create(settings)) {
            var clients = new ArrayList<FirehoseClient>();
            for (SimHost h : fleet.hosts()) clients.add(FirehoseClient.connect(h.port(), null));
            fleet.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> fleet.finished()
                    && sum(clients) == fleet.hosts().stream().mapToLong(h -> h.history().head()).sum());

            var types = new HashSet<String>();
            var actions = EnumSet.noneOf(RepoOp.Action.class);
            var curves = EnumSet.noneOf(Curve.class);
            try (var verifier = new SimVerifier(fleet.plc().url())) {
                for (int i = 0; i < fleet.hosts().size(); i++) {
                    SimHost host = fleet.hosts().get(i);
                    List<byte[]> frames = clients.get(i).frames;
                    assertThat(frames).hasSize((int) host.emitted());
                    for (int j = 0; j < frames.size(); j++) {
                        var m = (SequencedMessage) FirehoseCodec.decode(frames.get(j));
                        assertThat(m.seq()).as("host seqs are contiguous from 1").isEqualTo(j + 1);
                        types.add(m.type());
                        if (m instanceof CommitMessage c) c.ops().forEach(op -> actions.add(op.action()));
                        assertThat(verifier.check(host.hostname(), frames.get(j))).as("frame %d of %s", j, host.hostname())
                                .isEqualTo(Verdict.PASS);
                    }
                    fleet.accounts(i).forEach(a -> curves.add(a.key().curve()));
                }
            }
            assertThat(fleet.emitted()).isEqualTo(400);
            assertThat(types).containsExactlyInAnyOrder("#commit", "#identity", "#account", "#sync");
            assertThat(actions).containsExactlyInAnyOrder(RepoOp.Action.values());
            assertThat(curves).containsExactlyInAnyOrder(Curve.P256, Curve.K256);
            clients.forEach(FirehoseClient::close);
        }
    }

    @Test
    void p256EveryChoosesWhichAccountsSignWithP256() throws Exception {
        for (int every : new int[] {0, 2, 3}) {
            try (var fleet = Fleet.create(Fleet.Settings.of(1, 9, 0).withMaxFrames(0).withP256Every(every))) {
                var curves = fleet.accounts(0).stream().map(a -> a.key().curve()).toList();
                long p256 = curves.stream().filter(c -> c == Curve.P256).count();
                assertThat(p256).as("every %d: %s", every, curves).isEqualTo(every == 0 ? 0 : 9 / every);
            }
        }
    }

    @Test
    void describeServerHealthAndPlcDocumentsAnswerOverHttp() throws Exception {
        try (var fleet = Fleet.create(Fleet.Settings.of(1, 2, 0).withMaxFrames(0));
             var http = HttpClient.newHttpClient()) {
            SimHost h = fleet.hosts().getFirst();
            var describe = get(http, h.url() + "/xrpc/com.atproto.server.describeServer");
            assertThat(describe.statusCode()).isEqualTo(200);
            assertThat(describe.body()).contains("\"did\":\"" + h.did() + "\"").contains("availableUserDomains");
            assertThat(get(http, h.url() + "/_health").statusCode()).isEqualTo(200);
            var account = fleet.accounts(0).getFirst();
            var doc = get(http, fleet.plc().url() + "/" + account.did());
            assertThat(doc.statusCode()).isEqualTo(200);
            assertThat(doc.body()).contains(account.key().multikey()).contains("\"serviceEndpoint\":\"" + h.url() + "\"")
                    .contains("#atproto_pds");
            assertThat(get(http, fleet.plc().url() + "/did:plc:unknownunknownunknown00").statusCode()).isEqualTo(404);
        }
    }

    static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static long sum(List<FirehoseClient> clients) {
        return clients.stream().mapToLong(c -> c.frames.size()).sum();
    }

    static Set<String> labels(List<Verdict> verdicts) {
        var out = new HashSet<String>();
        for (Verdict v : verdicts) if (v instanceof Verdict.Drop d) out.add(d.reason().label());
        return out;
    }
}
