package dev.jlay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.pipeline.FrameFile;
import dev.jlay.testing.SharedFixtures;
import dev.jlay.testing.Tamper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code verify}: the corpus verifies clean; each kind of tampering is flagged on exactly its frame. */
class VerifyCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    record Run(int exit, List<JsonNode> lines, JsonNode summary) {}

    static Run verify(String... args) throws IOException {
        var out = new StringWriter();
        var cmd = new CommandLine(new VerifyCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(new StringWriter()));
        int exit = cmd.execute(args);
        var lines = new ArrayList<JsonNode>();
        for (String l : out.toString().split("\n")) {
            if (!l.isBlank()) lines.add(JSON.readTree(l));
        }
        assertThat(lines).as("output of verify").isNotEmpty();
        var summary = lines.removeLast();
        assertThat(summary.path("summary").asBoolean()).isTrue();
        return new Run(exit, lines, summary);
    }

    private static String corpus(String name) {
        return SharedFixtures.corpusDir().resolve(name).toString();
    }

    @Test
    void theCorpusVerifiesCleanWithHostAuthority() throws IOException {
        for (var file : List.of(new String[] {"pds0.frames", "localhost:2583"}, new String[] {"pds1.frames", "localhost:2584"})) {
            var run = verify(corpus(file[0]), "--did-docs", corpus("did-docs.json"), "--host", file[1]);
            var bad = run.lines().stream().filter(l -> !"valid".equals(l.path("verdict").asText())).toList();
            assertThat(bad).as(file[0]).isEmpty();
            assertThat(run.exit()).isZero();
            int n = FrameFile.read(Path.of(corpus(file[0]))).size();
            assertThat(run.lines()).hasSize(n);
            assertThat(run.summary().path("frames").asLong()).isEqualTo(n);
            assertThat(run.summary().path("valid").asLong()).isEqualTo(n);
            assertThat(run.lines().getFirst().path("index").asInt()).isZero();
            assertThat(run.lines().getFirst().has("seq")).isTrue();
        }
    }

    @Test
    void libsecp256k1AndBouncyCastleGiveTheSameVerdicts() throws IOException {
        String[] args = {corpus("pds0.frames"), "--did-docs", corpus("did-docs.json"), "--host", "localhost:2583"};
        var chosen = verify(args);
        var forced = verify(java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--no-native-secp256k1")).toArray(String[]::new));

        // the suite's machine has the library (scripts/setup installs it)
        assertThat(chosen.summary().path("signature_verifiers").path("secp256k1").asText()).isEqualTo("libsecp256k1");
        assertThat(forced.summary().path("signature_verifiers").path("secp256k1").asText()).isEqualTo("bouncycastle");
        assertThat(forced.summary().path("signature_verifiers").path("p256").asText()).isEqualTo("bouncycastle");
        assertThat(forced.lines()).isEqualTo(chosen.lines());
        assertThat(chosen.summary().path("valid").asLong()).isEqualTo(chosen.lines().size());
    }

    @Test
    void theWrongHostIsFlagged() throws IOException {
        // pds0's accounts live on :2583; claiming the recording came from :2584 breaks host authority
        var run = verify(corpus("pds0.frames"), "--did-docs", corpus("did-docs.json"), "--host", "localhost:2584");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.lines()).filteredOn(l -> l.path("type").asText().matches("#commit|#sync|#account"))
                .allSatisfy(l -> assertThat(l.path("reason").asText()).isEqualTo("wrong_host"));
    }

    @Test
    void repeatRunsWithFreshStateAndPrintsLinesOnce() throws IOException {
        var run = verify(corpus("pds0.frames"), "--did-docs", corpus("did-docs.json"), "--repeat", "3");
        int n = FrameFile.read(Path.of(corpus("pds0.frames"))).size();
        assertThat(run.lines()).hasSize(n);
        assertThat(run.summary().path("frames").asLong()).isEqualTo(3L * n);
        assertThat(run.summary().path("valid").asLong()).isEqualTo(3L * n); // fresh state: no stale revs on pass 2
        assertThat(run.summary().path("frames_per_second").asLong()).isPositive();
        var quiet = verify(corpus("pds0.frames"), "--did-docs", corpus("did-docs.json"), "--quiet");
        assertThat(quiet.lines()).isEmpty();
        assertThat(quiet.exit()).isZero();
    }

    @Test
    void warmupPassesRunButAreNeitherCountedNorPrinted() throws IOException {
        var run = verify(corpus("pds0.frames"), "--did-docs", corpus("did-docs.json"), "--warmup", "2", "--repeat", "1");
        int n = FrameFile.read(Path.of(corpus("pds0.frames"))).size();
        assertThat(run.exit()).isZero();
        assertThat(run.lines()).hasSize(n); // the first timed pass prints, the warm-up passes do not
        assertThat(run.summary().path("frames").asLong()).isEqualTo(n);
        assertThat(run.summary().path("valid").asLong()).isEqualTo(n); // fresh state after the warm-up too
        assertThat(run.summary().path("passes").asInt()).isEqualTo(1);
        assertThat(run.summary().path("warmup_passes").asInt()).isEqualTo(2);
        var cmd = new CommandLine(new VerifyCommand());
        cmd.setOut(new PrintWriter(new StringWriter()));
        cmd.setErr(new PrintWriter(new StringWriter()));
        assertThat(cmd.execute(corpus("pds0.frames"), "--did-docs", corpus("did-docs.json"), "--warmup", "-1"))
                .isEqualTo(2); // picocli's usage-error exit code
    }

    @Test
    void theAuditLogModeAlsoVerifiesClean() throws IOException {
        var run = verify(corpus("pds1.frames"), "--did-docs", corpus("did-docs.json"),
                "--plc-audit-log", corpus("plc-audit-log.json"), "--quiet");
        assertThat(run.exit()).isZero();
        assertThat(run.summary().path("invalid").asLong()).isZero();
    }

    // ---- tampering ----

    @Test
    void tamperedFramesAreFlaggedWithTheRightReasonAndNothingElseIs() throws Exception {
        List<byte[]> frames = FrameFile.read(Path.of(corpus("pds0.frames")));
        // commits every tampering applies to, each of a different DID, well inside the file
        var victims = new ArrayList<Integer>();
        var usedDids = new HashMap<String, Integer>();
        for (int i = 20; i < frames.size() && victims.size() < 7; i++) {
            if (FirehoseCodec.decode(frames.get(i)) instanceof CommitMessage c && Tamper.fits(c)
                    && !usedDids.containsKey(c.repo())) {
                usedDids.put(c.repo(), i);
                victims.add(i);
            }
        }
        assertThat(victims).hasSize(7);
        var expected = new LinkedHashMap<Integer, String>();
        var tampered = new ArrayList<>(frames);
        // one of each kind: bad signature, an op removed, prevData elsewhere, rev rewound, CAR blocks swapped, truncated
        var kinds = Tamper.values();
        assertThat(kinds).hasSize(6);
        for (int k = 0; k < kinds.length; k++) {
            tampered.set(victims.get(k), kinds[k].apply(frames.get(victims.get(k))));
            expected.put(victims.get(k), kinds[k].reason);
        }
        // a replay of an older commit of the same repo at the end of the file: a stale rev
        int replayed = victims.get(6);
        tampered.add(frames.get(replayed));
        expected.put(tampered.size() - 1, "stale_rev");

        Path file = tmp.resolve("tampered.frames");
        Files.write(file, FrameFile.encode(tampered));
        var run = verify(file.toString(), "--did-docs", corpus("did-docs.json"), "--host", "localhost:2583");
        assertThat(run.exit()).isEqualTo(1);

        var invalid = new LinkedHashMap<Integer, String>();
        var discontinuous = new ArrayList<Integer>();
        for (var l : run.lines()) {
            switch (l.path("verdict").asText()) {
                case "invalid" -> invalid.put(l.path("index").asInt(), l.path("reason").asText());
                case "discontinuity" -> discontinuous.add(l.path("index").asInt());
                default -> {}
            }
        }
        assertThat(invalid).isEqualTo(expected);
        // a dropped commit leaves its repo's stored rev behind, so that repo's next commit is a
        // discontinuity (passed on), never an invalid frame
        var expectedGaps = new ArrayList<Integer>();
        for (int v : victims.subList(0, 6)) {
            String did = ((CommitMessage) FirehoseCodec.decode(frames.get(v))).repo();
            for (int j = v + 1; j < frames.size(); j++) {
                if (FirehoseCodec.decode(frames.get(j)) instanceof CommitMessage c && c.repo().equals(did)) {
                    expectedGaps.add(j);
                    break;
                }
                if (FirehoseCodec.decode(frames.get(j)) instanceof dev.jlay.atproto.stream.SyncMessage s && s.did().equals(did)) {
                    break; // a #sync re-anchors the chain
                }
            }
        }
        assertThat(discontinuous).containsExactlyInAnyOrderElementsOf(expectedGaps);
    }
}
