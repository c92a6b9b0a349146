package dev.jlay.atproto.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.pipeline.FrameFile;
import dev.jlay.testing.SharedFixtures;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import dev.jlay.atproto.cbor.DagCbor;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Differential: {@link FirehoseCodec#decode} (which takes {@link CommitCursorDecoder} for plain
 * commits) and the general {@link FirehoseCodec#decodeGeneric} agree, as the same message or the
 * same exception class and reason, on every corpus and realworld frame, the guided-fuzz inputs
 * and mutations of corpus commits. The cursor path must also actually be taken, or this compares
 * the general decoder with itself.
 */
class CommitCursorDecodingTest {
    private static final int MUTATIONS = 4000;

    @Test
    void everyCorpusAndRealworldCommitTakesTheCursorPathAndAgrees() throws IOException {
        List<byte[]> frames = new ArrayList<>();
        CorpusFrames.all().forEach(f -> frames.add(f.bytes()));
        frames.addAll(FrameFile.read(SharedFixtures.sharedDir().resolve("realworld/bsky-network-a.frames")));
        int commits = 0;
        for (byte[] f : frames) {
            if (FirehoseCodec.decodeGeneric(f) instanceof CommitMessage) {
                commits++;
                assertThat(CommitCursorDecoder.tryDecode(f)).as("cursor path declined a real commit").isNotNull();
            }
            assertAgree(f);
        }
        assertThat(commits).isGreaterThan(500);
    }

    @Test
    void fuzzInputsAgree() throws IOException, URISyntaxException {
        Path dir = Path.of(getClass().getResource("FirehoseCodecGuidedFuzzTestInputs").toURI());
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        assertThat(files).hasSizeGreaterThan(10);
        for (Path p : files) {
            assertAgree(Files.readAllBytes(p));
        }
    }

    @Test
    void mutatedCommitsAgree() {
        List<byte[]> commits = CorpusFrames.all().stream().map(CorpusFrames.Frame::bytes)
                .filter(f -> FirehoseCodec.decodeGeneric(f) instanceof CommitMessage).toList();
        var rnd = new Random(24);
        int cursorTaken = 0;
        int rejected = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] f = commits.get(rnd.nextInt(commits.size())).clone();
            // mutate mostly outside blocks (the payload's fields and structure sit around it)
            switch (rnd.nextInt(4)) {
                case 0 -> f[pos(rnd, f)] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> f[pos(rnd, f)] = (byte) rnd.nextInt(256);
                case 2 -> f = Arrays.copyOf(f, rnd.nextInt(f.length));
                default -> {
                    f[pos(rnd, f)] = (byte) rnd.nextInt(256);
                    f[pos(rnd, f)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            if (CommitCursorDecoder.tryDecode(f) != null) {
                cursorTaken++;
            }
            if (assertAgree(f) instanceof Throwable) {
                rejected++;
            }
        }
        // both kinds occur, so both branches of the comparison ran
        assertThat(cursorTaken).isGreaterThan(MUTATIONS / 10);
        assertThat(rejected).isGreaterThan(MUTATIONS / 10);
    }

    /**
     * Hand-built payloads around a real commit: keys swapped, duplicated, dropped or unknown, every
     * field given every wrong type, unknown fields holding bad CBOR, the same for an op. Random
     * mutations rarely reorder keys, so this is what holds the cursor path to canonical order.
     */
    @Test
    @SuppressWarnings("unchecked")
    void craftedPayloadsAgree() {
        byte[] frame = CorpusFrames.all().stream().map(CorpusFrames.Frame::bytes)
                .filter(f -> FirehoseCodec.decodeGeneric(f) instanceof CommitMessage c && c.prevData() != null
                        && !c.ops().isEmpty())
                .findFirst().orElseThrow();
        int at = FrameHeader.peek(frame).payloadOffset();
        byte[] header = Arrays.copyOf(frame, at);
        var payload = (Map<String, Object>) DagCbor.decodeFirst(frame, at, frame.length - at).value();
        List<Entry> base = entries(payload, "ops", "rev", "seq", "repo", "time", "blobs", "since", "blocks", "commit",
                "rebase", "tooBig", "prevData");
        var op = (Map<String, Object>) ((List<Object>) payload.get("ops")).getFirst();
        List<Entry> opBase = entries(op, "cid", "path", "prev", "action");
        byte[][] values = {{(byte) 0xf6}, {(byte) 0xf5}, {(byte) 0xf4}, {0}, {0x20}, {0x61, 'x'}, {0x41, 0},
            {(byte) 0x80}, {(byte) 0xa0}, {(byte) 0xf7}, {(byte) 0xfb, 0, 0, 0, 0, 0, 0, 0, 0}, {0x62, (byte) 0xc3, 0x28},
            {(byte) 0xa2, 0x61, 'b', 1, 0x61, 'a', 1}, {(byte) 0xd8, 0x2a, 0x42, 0, 1}, {0x18, 5}, {(byte) 0x99, 0, 1, 0},
            DagCbor.encode(payload.get("commit")), DagCbor.encode(List.of(payload.get("commit"))),
            DagCbor.encode(List.of("create")), DagCbor.encode("create"), DagCbor.encode("delete")};
        List<List<Entry>> variants = variants(base, values);
        List<List<Entry>> opVariants = variants(opBase, values);
        List<byte[]> frames = new ArrayList<>();
        for (var v : variants) {
            frames.add(concat(header, map(v)));
        }
        for (var ov : opVariants) {
            var withOp = new ArrayList<>(base);
            withOp.set(0, new Entry("ops", concat(new byte[] {(byte) 0x81}, map(ov))));
            frames.add(concat(header, map(withOp)));
        }
        byte[] ok = concat(header, map(base));
        frames.add(concat(ok, new byte[] {0}));
        frames.add(concat(header, new byte[] {(byte) (0xa0 + base.size() + 1)}, Arrays.copyOfRange(map(base), 1, ok.length - at)));
        frames.add(concat(header, new byte[] {(byte) (0xa0 + base.size() - 1)}, Arrays.copyOfRange(map(base), 1, ok.length - at)));
        int cursorTaken = 0;
        for (byte[] f : frames) {
            if (CommitCursorDecoder.tryDecode(f) != null) {
                cursorTaken++;
            }
            assertAgree(f);
        }
        assertThat(CommitCursorDecoder.tryDecode(ok)).isNotNull();
        assertThat(cursorTaken).isGreaterThan(5).isLessThan(frames.size() / 2);
    }

    /** The entries, and each one dropped, duplicated, swapped with the next, given each value; plus unknown keys. */
    private static List<List<Entry>> variants(List<Entry> b, byte[][] values) {
        List<List<Entry>> out = new ArrayList<>();
        out.add(b);
        for (int i = 0; i < b.size(); i++) {
            var dropped = new ArrayList<>(b);
            dropped.remove(i);
            out.add(dropped);
            var dup = new ArrayList<>(b);
            dup.add(i, b.get(i));
            out.add(dup);
            if (i + 1 < b.size()) {
                var swapped = new ArrayList<>(b);
                swapped.set(i, b.get(i + 1));
                swapped.set(i + 1, b.get(i));
                out.add(swapped);
            }
            for (byte[] v : values) {
                var typed = new ArrayList<>(b);
                typed.set(i, new Entry(b.get(i).key(), v));
                out.add(typed);
            }
        }
        for (byte[] v : values) {
            for (String unknown : List.of("a", "zzzzzzzzz", "pat")) {
                var extra = new ArrayList<>(b);
                extra.add(new Entry(unknown, v));
                extra.sort(Comparator.comparing((Entry e) -> e.key().length()).thenComparing(Entry::key));
                out.add(extra);
            }
        }
        return out;
    }

    private record Entry(String key, byte[] value) {}

    private static List<Entry> entries(Map<String, Object> m, String... canonicalOrder) {
        List<Entry> out = new ArrayList<>();
        for (String k : canonicalOrder) {
            if (m.containsKey(k)) {
                out.add(new Entry(k, DagCbor.encode(m.get(k))));
            }
        }
        assertThat(out).hasSize(m.size());
        return out;
    }

    /** A map of the entries in the order given, with no checks. */
    private static byte[] map(List<Entry> entries) {
        var out = new java.io.ByteArrayOutputStream();
        out.write(0xa0 + entries.size());
        for (Entry e : entries) {
            byte[] k = e.key().getBytes(StandardCharsets.US_ASCII);
            out.write(0x60 + k.length);
            out.writeBytes(k);
            out.writeBytes(e.value());
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        var out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A position near the start or the end of the frame, where everything but blocks lives. */
    private static int pos(Random rnd, byte[] f) {
        int window = Math.min(f.length, 400);
        int off = rnd.nextInt(window);
        return rnd.nextBoolean() ? off : f.length - 1 - off;
    }

    /** Runs both decoders, asserts they agree, and returns the message or the exception. */
    private static Object assertAgree(byte[] f) {
        Object general = outcome(() -> FirehoseCodec.decodeGeneric(f));
        Object fast = outcome(() -> FirehoseCodec.decode(f));
        if (general instanceof Throwable g) {
            assertThat(fast).as("general threw %s", g).isInstanceOf(Throwable.class);
            assertThat(fast.getClass()).isEqualTo(g.getClass());
            if (g instanceof FrameException ge) {
                assertThat(((FrameException) fast).reason()).isEqualTo(ge.reason());
            }
        } else {
            assertThat(fast).isNotInstanceOf(Throwable.class);
            assertThat(render((RepoMessage) fast)).isEqualTo(render((RepoMessage) general));
        }
        return general;
    }

    /** Comparable form: records compare arrays by identity, so commits compare by field, blocks by content. */
    private static String render(RepoMessage m) {
        if (m instanceof CommitMessage c) {
            return List.of(c.seq(), c.repo(), c.commit(), c.rev(), String.valueOf(c.since()), Base64.getEncoder().encodeToString(c.blocks()),
                    c.ops(), String.valueOf(c.prevData()), c.blobs(), c.time(), c.tooBig(),
                    c.rebase()).toString();
        }
        if (m instanceof SyncMessage s) {
            return s.seq() + s.did() + Arrays.toString(s.blocks()) + s.rev() + s.time();
        }
        return m.toString();
    }

    private static Object outcome(java.util.function.Supplier<RepoMessage> decode) {
        try {
            return decode.get();
        } catch (RuntimeException e) {
            return e;
        }
    }
}
