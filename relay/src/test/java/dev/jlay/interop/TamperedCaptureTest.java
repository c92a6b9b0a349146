package dev.jlay.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.RepoMessage;
import dev.jlay.atproto.stream.SyncMessage;
import dev.jlay.cli.VerifyCommand;
import dev.jlay.pipeline.FrameFile;
import dev.jlay.testing.SharedFixtures;
import dev.jlay.testing.Tamper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The real PDS recording ({@code ../shared/corpus}, both hosts: a capture of
 * {@code @atproto/pds} 0.5.35 from cursor 0) with frames tampered in each way the
 * validator knows, at seeded random places: {@code verify} must flag exactly the
 * tampered frames, each with its tamper's reason, pass every untouched frame,
 * and report only the next commit of a tampered repo as a discontinuity (its
 * since/prevData no longer meet the stored state). The same check runs against
 * a fresh capture of the live PDSes in {@code scripts/realnet-check} (step 8,
 * tampered there with the official JavaScript codecs).
 */
class TamperedCaptureTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static List<byte[]> frames;
    private static List<RepoMessage> decoded;
    /** indices of commits every tamper applies to, with the repo active at that point */
    private static List<Integer> fitting;
    /** repos deactivated or taken down at the end of the recording */
    private static Set<String> inactiveAtEnd;

    @TempDir
    Path tmp;

    @BeforeAll
    static void readCorpus() throws IOException {
        frames = new ArrayList<>(FrameFile.read(corpus("pds0.frames")));
        frames.addAll(FrameFile.read(corpus("pds1.frames")));
        decoded = frames.stream().map(FirehoseCodec::decode).toList();
        fitting = new ArrayList<>();
        var inactive = new HashSet<String>();
        for (int i = 0; i < decoded.size(); i++) {
            switch (decoded.get(i)) {
                case AccountMessage a -> {
                    if (a.active()) inactive.remove(a.did()); else inactive.add(a.did());
                }
                case CommitMessage c when !inactive.contains(c.repo()) && Tamper.fits(c) -> fitting.add(i);
                default -> {}
            }
        }
        inactiveAtEnd = Set.copyOf(inactive);
    }

    private static Path corpus(String name) {
        return SharedFixtures.corpusDir().resolve(name);
    }

    @Test
    void theUntamperedRecordingVerifiesClean() throws IOException {
        Path file = tmp.resolve("both.frames");
        Files.write(file, FrameFile.encode(frames));
        var lines = verify(file);
        assertThat(lines).hasSize(frames.size());
        assertThat(lines).allSatisfy(l -> assertThat(l.path("verdict").asText()).as(l.toString()).isEqualTo("valid"));
        assertThat(fitting).as("commits every tamper applies to").hasSizeGreaterThan(100);
    }

    @Test
    void eachTamperIsFlaggedWithItsReasonOnExactlyItsFrame() throws IOException {
        var random = new Random(20261126L);
        for (int round = 0; round < 4; round++) {
            // one victim per tamper, each of a different repo, at random places; plus a replayed older commit
            var order = new ArrayList<>(fitting);
            Collections.shuffle(order, random);
            var victims = new TreeMap<Integer, Tamper>();
            var repos = new HashSet<String>();
            var kinds = new ArrayList<>(List.of(Tamper.values()));
            Collections.shuffle(kinds, random);
            for (int i : order) {
                if (kinds.isEmpty()) break;
                if (repos.add(repo(i))) victims.put(i, kinds.removeLast());
            }
            assertThat(kinds).as("round %d: a distinct repo for every tamper", round).isEmpty();
            int replayOf = order.stream().filter(i -> !repos.contains(repo(i)) && !inactiveAtEnd.contains(repo(i)) && hasLaterCommit(i)).findFirst().orElseThrow();

            var tampered = new ArrayList<>(frames);
            var expected = new TreeMap<Integer, String>();
            victims.forEach((i, t) -> {
                tampered.set(i, t.apply(frames.get(i)));
                expected.put(i, t.reason);
            });
            tampered.add(frames.get(replayOf));
            expected.put(tampered.size() - 1, "stale_rev");

            Path file = tmp.resolve("tampered-" + round + ".frames");
            Files.write(file, FrameFile.encode(tampered));
            var lines = verify(file);
            assertThat(lines).hasSize(tampered.size());

            var invalid = new TreeMap<Integer, String>();
            var discontinuous = new TreeSet<Integer>();
            for (var l : lines) {
                switch (l.path("verdict").asText()) {
                    case "invalid" -> invalid.put(l.path("index").asInt(), l.path("reason").asText());
                    case "discontinuity" -> discontinuous.add(l.path("index").asInt());
                    default -> {}
                }
            }
            assertThat(invalid).as("round %d, tampers %s", round, victims).isEqualTo(expected);
            var gaps = new TreeSet<Integer>();
            for (int v : victims.keySet()) nextCommitOf(v).ifPresent(gaps::add);
            assertThat(discontinuous).as("round %d", round).isEqualTo(gaps);
        }
    }

    private static String repo(int i) {
        return ((CommitMessage) decoded.get(i)).repo();
    }

    private static boolean hasLaterCommit(int i) {
        for (int j = i + 1; j < decoded.size(); j++) {
            if (decoded.get(j) instanceof CommitMessage c && c.repo().equals(repo(i))) return true;
        }
        return false;
    }

    /** The repo's next commit, unless a #sync of it re-anchors the chain first. */
    private static java.util.Optional<Integer> nextCommitOf(int i) {
        String did = repo(i);
        for (int j = i + 1; j < decoded.size(); j++) {
            if (decoded.get(j) instanceof CommitMessage c && c.repo().equals(did)) return java.util.Optional.of(j);
            if (decoded.get(j) instanceof SyncMessage s && s.did().equals(did)) return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }

    /** verify's per-frame lines (the summary dropped); the DID documents come from the corpus, offline. */
    private static List<JsonNode> verify(Path file) throws IOException {
        var out = new StringWriter();
        var cmd = new CommandLine(new VerifyCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(new StringWriter()));
        cmd.execute(file.toString(), "--did-docs", corpus("did-docs.json").toString(),
                "--plc-audit-log", corpus("plc-audit-log.json").toString());
        var lines = new ArrayList<JsonNode>();
        for (String l : out.toString().split("\n")) {
            if (!l.isBlank()) lines.add(JSON.readTree(l));
        }
        assertThat(lines.removeLast().path("summary").asBoolean()).isTrue();
        return lines;
    }
}
