package dev.jlay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.car.Car;
import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.FrameHeader;
import dev.jlay.atproto.stream.RepoMessage;
import dev.jlay.atproto.stream.SyncMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import dev.jlay.atproto.cid.Sha256;

/**
 * Writes the seed corpora of the Jazzer fuzz tests (the {@code *GuidedFuzzTestInputs/} resource
 * directories) from ../shared/corpus and ../shared/realworld: whole frames, their header and
 * payload, their CARs, the blocks inside (records, commits, MST nodes) and the DID documents.
 * Seeds are kept small (libFuzzer's default input limit is the largest seed; small inputs run
 * fast) and few per kind. Run from relay/ after changing the selection:
 * {@code java -cp target/test-classes:target/classes:$(deps) dev.jlay.testing.FuzzSeedWriter}.
 */
public final class FuzzSeedWriter {
    private static final int MAX_SEED = 4096;
    private static final Path RESOURCES = Path.of("src/test/resources");

    private FuzzSeedWriter() {}

    public static void main(String[] args) throws IOException {
        Path shared = SharedFixtures.sharedDir();
        var frames = new ArrayList<byte[]>();
        for (Path f : List.of(shared.resolve("corpus/pds0.frames"), shared.resolve("corpus/pds1.frames"),
                shared.resolve("realworld/bsky-network-a.frames"))) {
            var bb = ByteBuffer.wrap(Files.readAllBytes(f));
            while (bb.hasRemaining()) {
                byte[] frame = new byte[bb.getInt()];
                bb.get(frame);
                frames.add(frame);
            }
        }
        // A few of every kind and size class, so each target starts from real shapes.
        var frameSeeds = new TreeMap<String, byte[]>();
        var cborSeeds = new TreeMap<String, byte[]>();
        var carSeeds = new TreeMap<String, byte[]>();
        var mstSeeds = new TreeMap<String, byte[]>();
        var perType = new LinkedHashMap<String, Integer>();
        for (byte[] frame : frames) {
            RepoMessage m = FirehoseCodec.decode(frame);
            String type = FrameHeader.peek(frame).type();
            byte[] blocks = m instanceof CommitMessage c ? c.blocks() : m instanceof SyncMessage s ? s.blocks() : null;
            if (frame.length <= MAX_SEED && perType.merge(type, 1, Integer::sum) <= 12) {
                put(frameSeeds, "frame", frame);
                int split = FrameHeader.peek(frame).payloadOffset();
                put(cborSeeds, "header", Arrays.copyOf(frame, split));
                put(cborSeeds, "payload", Arrays.copyOfRange(frame, split, frame.length));
            }
            if (blocks == null) {
                continue;
            }
            if (blocks.length <= MAX_SEED && carSeeds.size() < 30) {
                put(carSeeds, "car", blocks);
            }
            Car car = CarReader.readFirehose(blocks);
            for (byte[] block : car.blocks().values()) {
                if (block.length > MAX_SEED / 2) {
                    continue;
                }
                if (DagCbor.decode(block) instanceof Map<?, ?> map && map.size() == 2 && map.containsKey("e")
                        && map.containsKey("l")) {
                    if (mstSeeds.size() < 40) {
                        put(mstSeeds, "node", block);
                    }
                } else if (cborSeeds.size() < 120) {
                    put(cborSeeds, "block", block);
                }
            }
        }
        write("dev/jlay/atproto/stream/FirehoseCodecGuidedFuzzTestInputs/decode", frameSeeds);
        write("dev/jlay/atproto/cbor/DagCborGuidedFuzzTestInputs/decode", cborSeeds);
        write("dev/jlay/atproto/car/CarReaderGuidedFuzzTestInputs/read", carSeeds);
        write("dev/jlay/atproto/mst/MstNodeGuidedFuzzTestInputs/decode", mstSeeds);

        var docSeeds = new TreeMap<String, byte[]>();
        var json = new ObjectMapper();
        for (Path f : List.of(shared.resolve("corpus/did-docs.json"),
                shared.resolve("realworld/bsky-network-a-did-docs.json"))) {
            JsonNode docs = json.readTree(f.toFile());
            int n = 0;
            for (var it = docs.properties().iterator(); it.hasNext() && n < 15; n++) {
                var e = it.next();
                put(docSeeds, "doc", (e.getKey() + "\n" + json.writeValueAsString(e.getValue()))
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        write("dev/jlay/identity/DidDocumentGuidedFuzzTestInputs/parse", docSeeds);

        var querySeeds = new TreeMap<String, byte[]>();
        for (String q : List.of(
                "did=did:plc:ewvi7nxzyoun6zhxrhs64oiz",
                "did=did%3Aweb%3Aexample.com&since=3jzfcijpj2z2a",
                "limit=500&cursor=did:plc:ewvi7nxzyoun6zhxrhs64oiz",
                "collection=app.bsky.feed.post&limit=2000&cursor=did:plc:aaaa",
                "limit=1000&cursor=12345",
                "cursor=9007199254740991",
                "hostname=pds.example.com",
                "hostname=https://bsky.social/",
                "hostname=localhost:2583",
                "hostname=http://127.0.0.1:8080",
                "limit=0&limit=5",
                "did=&cursor=-1&limit=%2B5",
                "collection=com.example.fooBar.*&hostname=xn--bcher-kva.example")) {
            put(querySeeds, "query", q.getBytes(StandardCharsets.UTF_8));
        }
        write("dev/jlay/api/XrpcParamsGuidedFuzzTestInputs/parse", querySeeds);
    }

    private static void put(Map<String, byte[]> seeds, String kind, byte[] bytes) {
        // named by content, so rerunning gives the same files
        String hash = HexFormat.of().formatHex(Sha256.newDigest().digest(bytes), 0, 8);
        seeds.put(kind + "-" + hash, bytes);
    }

    private static void write(String dir, Map<String, byte[]> seeds) throws IOException {
        Path d = Files.createDirectories(RESOURCES.resolve(dir));
        for (var e : seeds.entrySet()) {
            Files.write(d.resolve(e.getKey()), e.getValue());
        }
        System.out.println(dir + ": " + seeds.size() + " seeds");
    }
}
