package dev.jlay.testing;

import dev.jlay.config.RelayConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The upstream side of the corpus end-to-end tests: two loopback hosts replaying
 * ../shared/corpus ({@code pds0.frames}, {@code pds1.frames}) and a loopback PLC directory that
 * resolves the corpus DIDs to them, plus the config of a relay that reads both. Closing it closes
 * the hosts and the directory.
 */
public final class CorpusHosts implements AutoCloseable {
    public final List<byte[]> pds0;
    public final List<byte[]> pds1;
    public final LoopbackPds host0;
    public final LoopbackPds host1;
    public final DidDocServer plc;

    private CorpusHosts(List<byte[]> pds0, List<byte[]> pds1, LoopbackPds host0, LoopbackPds host1,
                        DidDocServer plc) {
        this.pds0 = pds0;
        this.pds1 = pds1;
        this.host0 = host0;
        this.host1 = host1;
        this.plc = plc;
    }

    /** Both hosts send every frame at once on each connection. */
    public static CorpusHosts start() throws IOException {
        return start(Duration.ZERO, new CountDownLatch(0));
    }

    /** The second host sends nothing until {@code gate} opens, then pauses {@code pause} between frames. */
    public static CorpusHosts start(Duration pause, CountDownLatch gate) throws IOException {
        var pds0 = SharedFixtures.corpusFrames("pds0.frames");
        var pds1 = SharedFixtures.corpusFrames("pds1.frames");
        var host0 = new LoopbackPds(pds0);
        LoopbackPds host1 = null;
        try {
            host1 = new LoopbackPds(pds1, pause, gate);
            // the corpus DID documents name these two PDS endpoints
            var plc = new DidDocServer().serveCorpus(SharedFixtures.corpusDir().resolve("did-docs.json"),
                    Map.of("http://localhost:2583", host0.url(), "http://localhost:2584", host1.url()));
            return new CorpusHosts(pds0, pds1, host0, host1, plc);
        } catch (IOException | RuntimeException e) {
            host0.close();
            if (host1 != null) {
                host1.close();
            }
            throw e;
        }
    }

    /** Frames of both hosts together. */
    public int total() {
        return pds0.size() + pds1.size();
    }

    /**
     * A relay reading both hosts over plain WebSockets and resolving DIDs here, as
     * {@link TestRelays#config} makes it (a fresh database unless {@code database.url} is given).
     *
     * @param overrides further config, key, value...; they win
     */
    public RelayConfig relayConfig(Path dataDir, String... overrides) {
        String[] base = {"plc.url", plc.url().toString(), "allow-insecure-hosts", "true",
                "upstream.hosts", host0.host() + "," + host1.host()};
        var pairs = Arrays.copyOf(base, base.length + overrides.length);
        System.arraycopy(overrides, 0, pairs, base.length, overrides.length);
        return TestRelays.config(dataDir, pairs);
    }

    @Override
    public void close() {
        // in the reverse order of the try-with-resources the tests wrote out before
        plc.close();
        host1.close();
        host0.close();
    }
}
