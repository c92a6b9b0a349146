package dev.jlay.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.config.RelayConfig;
import dev.jlay.pipeline.FrameFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The upstream side of tests over ../shared/realworld: the 100 real bsky.network frames of
 * {@code bsky-network-a.frames}, each served by a loopback host standing in for the DID's real PDS
 * (one {@link LoopbackPds} per PDS endpoint of the DID documents, 48 of them), and a loopback PLC
 * directory serving those documents with the endpoints rewritten to the loopback hosts. So the
 * relay verifies every frame as it would from the network: signature, host authority, MST.
 */
public final class RealworldHosts implements AutoCloseable {
    public final List<byte[]> frames;
    public final List<LoopbackPds> hosts = new ArrayList<>();
    public final DidDocServer plc;

    private RealworldHosts(List<byte[]> frames, DidDocServer plc) {
        this.frames = frames;
        this.plc = plc;
    }

    public static Path dir() {
        return SharedFixtures.sharedDir().resolve("realworld");
    }

    public static RealworldHosts start() throws IOException {
        List<byte[]> frames;
        try {
            frames = FrameFile.read(dir().resolve("bsky-network-a.frames"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var docs = new ObjectMapper().readTree(dir().resolve("bsky-network-a-did-docs.json").toFile());
        var pdsOf = new HashMap<String, String>();
        for (var it = docs.fields(); it.hasNext(); ) {
            var e = it.next();
            for (var service : e.getValue().path("service")) {
                if (service.path("id").asText().endsWith("#atproto_pds")) {
                    pdsOf.put(e.getKey(), service.path("serviceEndpoint").asText());
                }
            }
        }
        var byPds = new LinkedHashMap<String, List<byte[]>>();
        for (var f : frames) {
            var did = ((dev.jlay.atproto.stream.SequencedMessage) FirehoseCodec.decode(f)).did();
            var pds = pdsOf.get(did);
            if (pds == null) {
                throw new IllegalStateException("no PDS for " + did);
            }
            byPds.computeIfAbsent(pds, k -> new ArrayList<>()).add(f);
        }
        var plc = new DidDocServer();
        var out = new RealworldHosts(frames, plc);
        try {
            var endpoints = new HashMap<String, String>();
            for (var e : byPds.entrySet()) {
                var host = new LoopbackPds(e.getValue());
                out.hosts.add(host);
                endpoints.put(e.getKey(), host.url());
            }
            plc.serveCorpus(dir().resolve("bsky-network-a-did-docs.json"), endpoints);
            return out;
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /** A relay reading every loopback host, as {@link TestRelays#config} makes it; {@code overrides} win. */
    public RelayConfig relayConfig(Path dataDir, String... overrides) {
        String[] base = {"plc.url", plc.url().toString(), "allow-insecure-hosts", "true",
                "upstream.hosts", String.join(",", hosts.stream().map(LoopbackPds::host).toList())};
        var pairs = Arrays.copyOf(base, base.length + overrides.length);
        System.arraycopy(overrides, 0, pairs, base.length, overrides.length);
        return TestRelays.config(dataDir, pairs);
    }

    /** The lines of a realworld JSONL file. */
    public static List<String> jsonLines(String file) {
        try {
            return java.nio.file.Files.readAllLines(dir().resolve(file)).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        plc.close();
        hosts.forEach(LoopbackPds::close);
    }

    /** The frames by DID, in order. */
    public Map<String, List<byte[]>> framesByDid() {
        var out = new LinkedHashMap<String, List<byte[]>>();
        for (var f : frames) {
            out.computeIfAbsent(((dev.jlay.atproto.stream.SequencedMessage) FirehoseCodec.decode(f)).did(), k -> new ArrayList<>()).add(f);
        }
        return out;
    }
}
