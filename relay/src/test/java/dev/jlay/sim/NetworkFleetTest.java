package dev.jlay.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.testing.RawHttp;
import dev.jlay.testing.RawWebSocket;
import dev.jlay.validate.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The network-shaped simulator's parts: its shape, its compact accounts, and many hosts on one listener. */
class NetworkFleetTest {

    @Test
    void aFewLargeHostsHoldMostAccountsAndActivityIsSkewed() {
        var shape = new NetworkShape(1000, 50_000, 0.8, 7);
        assertThat(shape.largeHosts()).isEqualTo(10);
        assertThat(shape.largeShare()).isGreaterThan(0.8);
        long total = 0;
        for (int h = 0; h < shape.hosts(); h++) {
            int n = shape.accountsOf(h);
            if (h >= shape.largeHosts()) assertThat(n).as("small host %d", h).isBetween(1, 10);
            assertThat(shape.hostOf(shape.firstAccountOf(h))).isEqualTo(h);
            assertThat(shape.hostOf(shape.firstAccountOf(h) + n - 1)).isEqualTo(h);
            total += n;
        }
        assertThat(total).isEqualTo(50_000);
        // Zipf-like: the busiest 1 % of accounts draw far more than 1 % of the arrivals
        var random = new Random(1);
        int[] hits = new int[shape.accounts()];
        for (int i = 0; i < 200_000; i++) hits[shape.sampleAccount(random)]++;
        var sorted = java.util.Arrays.stream(hits).boxed().sorted(java.util.Comparator.reverseOrder()).toList();
        long top = sorted.subList(0, 500).stream().mapToLong(Integer::longValue).sum();
        assertThat(top).isGreaterThan(200_000 / 5);
        // the small hosts draw about their share of the accounts: each is idle most of the time
        long small = 0;
        for (int a = shape.firstAccountOf(shape.largeHosts()); a < shape.accounts(); a++) small += hits[a];
        assertThat(small / 200_000.0).isLessThan(0.25);
        assertThat(small / 200_000.0 / (shape.hosts() - shape.largeHosts())).isLessThan(0.001);
    }

    @Test
    void accountsAreDerivedFromTheirIndexAndEveryFrameVerifies() throws Exception {
        var shape = new NetworkShape(3, 12, 0.8, 3);
        try (var plc = new PlcDirectory(0)) {
            String[] hostnames = {"h00000.sim.test:1", "h00001.sim.test:1", "h00002.sim.test:1"};
            var accounts = new NetworkAccounts(shape, 5, 2, 4, new NetworkAccounts.Mix(100, 100, 100),
                    i -> java.net.URI.create("http://" + hostnames[i]), VirtualHosts::domain);
            plc.derive(accounts::document);
            for (int i = 0; i < shape.accounts(); i++) assertThat(accounts.indexOf(accounts.did(i))).isEqualTo(i);
            assertThat(accounts.indexOf("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa")).isEqualTo(-1);
            assertThat(accounts.indexOf("did:plc:zzzzzz")).isEqualTo(-1);
            assertThat(accounts.document("did:plc:nobody")).isNull();

            var random = new Random(9);
            var curves = EnumSet.noneOf(Curve.class);
            var types = new HashSet<String>();
            try (var verifier = new SimVerifier(plc.url())) {
                for (int round = 0; round < 60; round++) {
                    int a = round < 12 ? round : random.nextInt(4); // every account once, then a few again
                    curves.add(accounts.key(a).curve());
                    for (byte[] f : accounts.arrival(a, random)) {
                        var m = (SequencedMessage) FirehoseCodec.decode(f);
                        types.add(m.type());
                        assertThat(verifier.check(hostnames[shape.hostOf(a)], f)).as("round %d %s", round, m.type())
                                .isEqualTo(Verdict.PASS);
                    }
                }
            }
            assertThat(curves).containsExactlyInAnyOrder(Curve.K256, Curve.P256);
            assertThat(types).contains("#commit", "#identity", "#account", "#sync");
            // two live repositories at most; the others came back with a #sync of a fresh repo
            assertThat(accounts.liveAccounts()).isLessThanOrEqualTo(2);
            assertThat(accounts.announced()).isEqualTo(12);
            assertThat(accounts.rejoins()).isPositive();
        }
    }

    @Test
    void oneListenerServesEachHostItsOwnStreamByHostHeader() throws Exception {
        try (var hosts = new VirtualHosts(3, i -> new EventHistory.Limits(100, 1 << 20), 0,
                () -> new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode())) {
            int port = hosts.port();
            byte[] frame = FirehoseCodec.encode(new dev.jlay.atproto.stream.AccountMessage(1, "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa",
                    EventTime.now(), true, null));
            // cursor 0: from the first event, whenever the reader's thread subscribes
            try (var one = RawWebSocket.open(port, SimHost.SUBSCRIBE_PATH + "?cursor=0", hosts.hostname(1), 0, 10_000);
                 var two = RawWebSocket.open(port, SimHost.SUBSCRIBE_PATH + "?cursor=0", hosts.hostname(2), 0, 10_000)) {
                hosts.append(1, frame);
                hosts.append(1, frame);
                hosts.append(2, frame);
                var seqs = new ArrayList<Long>();
                for (int i = 0; i < 2; i++) seqs.add(((SequencedMessage) FirehoseCodec.decode(one.read().payload())).seq());
                assertThat(seqs).as("host 1 has its own seqs").containsExactly(1L, 2L);
                assertThat(((SequencedMessage) FirehoseCodec.decode(two.read().payload())).seq()).isEqualTo(1L);
                assertThat(hosts.host(1).connections()).isEqualTo(1);
                assertThat(hosts.host(0).connections()).isZero();
            }
            // describeServer answers as the host named
            try (var http = new RawHttp(port, 10_000)) {
                var res = http.exchange(("GET /xrpc/com.atproto.server.describeServer HTTP/1.1\r\nHost: "
                        + hosts.hostname(2) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), false);
                assertThat(res.status()).isEqualTo(200);
                assertThat(res.text()).contains("did:web:h00002.sim.test");
            }
            // churn: a refusing host answers no upgrade; an unknown name is refused too
            hosts.churn(0, VirtualHosts.Churn.REFUSE, 60_000);
            assertThatThrownBy(() -> RawWebSocket.open(port, SimHost.SUBSCRIBE_PATH, hosts.hostname(0), 0, 10_000))
                    .isInstanceOf(RawWebSocket.UpgradeRefused.class);
            assertThat(hosts.refused()).isEqualTo(1);
            assertThatThrownBy(() -> RawWebSocket.open(port, SimHost.SUBSCRIBE_PATH, "127.0.0.1:" + port, 0, 10_000))
                    .isInstanceOf(RawWebSocket.UpgradeRefused.class);
            // going away: a close frame (1001), then refusals; closing abruptly: the socket just ends
            long opened1 = hosts.host(1).connectionsTotal();
            try (var ws = RawWebSocket.open(port, SimHost.SUBSCRIBE_PATH, hosts.hostname(1), 0, 10_000)) {
                awaitOpened(hosts, 1, opened1 + 1);
                hosts.churn(1, VirtualHosts.Churn.AWAY, 60_000);
                assertThat(ws.read().closeCode()).isEqualTo(1001);
            }
            assertThatThrownBy(() -> RawWebSocket.open(port, SimHost.SUBSCRIBE_PATH, hosts.hostname(1), 0, 10_000))
                    .isInstanceOf(RawWebSocket.UpgradeRefused.class);
            long opened2 = hosts.host(2).connectionsTotal();
            try (var ws = RawWebSocket.open(port, SimHost.SUBSCRIBE_PATH, hosts.hostname(2), 0, 10_000)) {
                awaitOpened(hosts, 2, opened2 + 1);
                hosts.churn(2, VirtualHosts.Churn.CLOSE, 0);
                assertThatThrownBy(() -> {
                    while (true) {
                        var f = ws.read();
                        if (f.opcode() == RawWebSocket.CLOSE) throw new java.io.EOFException("closed");
                    }
                }).isInstanceOf(java.io.IOException.class);
            }
            assertThat(VirtualHosts.indexOf("h00042.sim.test:1234")).isEqualTo(42);
            assertThat(VirtualHosts.indexOf("example.com")).isEqualTo(-1);
        }
    }

    /**
     * Waits until the host has registered its {@code total}-th connection: the live count would not do,
     * since a connection the client closed earlier is counted until its reader notices (up to 5 s).
     */
    private static void awaitOpened(VirtualHosts hosts, int host, long total) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (hosts.host(host).connectionsTotal() < total && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(hosts.host(host).connectionsTotal()).isGreaterThanOrEqualTo(total);
    }
}
