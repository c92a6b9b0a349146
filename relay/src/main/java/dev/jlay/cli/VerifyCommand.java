package dev.jlay.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlay.atproto.crypto.Curve;
import dev.jlay.crypto.CurveVerifiers;
import dev.jlay.crypto.Secp256k1Library;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.atproto.stream.SyncMessage;
import dev.jlay.atproto.syntax.Tid;
import dev.jlay.identity.DidResolver;
import dev.jlay.identity.IdentityResolver;
import dev.jlay.identity.ResolverConfig;
import dev.jlay.pipeline.FrameFile;
import dev.jlay.pipeline.IdentityLookup;
import dev.jlay.pipeline.IdentityRefresher;
import dev.jlay.pipeline.InboundFrame;
import dev.jlay.pipeline.OfflineDocuments;
import dev.jlay.pipeline.OfflineIdentities;
import dev.jlay.pipeline.ResolverIdentities;
import dev.jlay.pipeline.SequentialRunner;
import dev.jlay.pipeline.StageRecorder;
import dev.jlay.pipeline.ValidatingProcessor;
import dev.jlay.net.AddressGuard;
import dev.jlay.validate.FrameValidator;
import dev.jlay.validate.InMemoryChainState;
import dev.jlay.validate.PlcHistory;
import dev.jlay.validate.ValidationConfig;
import dev.jlay.validate.Verdict;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code verify FILE}: every recorded frame through the live pipeline's own
 * validation ({@link ValidatingProcessor} + {@link FrameValidator}), in order,
 * with chain state carried from frame to frame. Answers "was this event bad,
 * or is my relay wrong?".
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Validate a recorded firehose (4-byte big-endian length + frame, repeated) offline.")
public final class VerifyCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--plc", description = "PLC directory URL (network resolution).")
        URI plc;
        @Option(names = "--did-docs", description = "JSON map DID -> DID document; nothing touches the network.")
        Path didDocs;
    }

    @Parameters(index = "0", description = "Recording to verify.")
    Path file;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--plc-audit-log", description = "JSON map DID -> PLC audit log: judge each frame by the key "
            + "and PDS in force when it was made (key rotations).")
    Path auditLog;

    @Option(names = "--host", description = "The host the recording came from (host[:port]): enables the "
            + "host-authority check. Without it that check is skipped.")
    String host;

    @Option(names = "--lenient", description = "Pass what the reference relay only logs (inversion failures, no prevData).")
    boolean lenient;

    @Option(names = "--no-native-secp256k1", description = "Verify secp256k1 with BouncyCastle even where "
            + "libsecp256k1 is installed (to compare the two).")
    boolean noNativeSecp256k1;

    @Option(names = "--repeat", defaultValue = "1", description = "Run the file N times, fresh state each time.")
    int repeat;

    @Option(names = "--warmup", defaultValue = "0", description = "Run the file N times first, untimed and "
            + "uncounted, so the timed passes measure compiled code rather than the JIT warming up.")
    int warmup;

    @Option(names = "--quiet", description = "Print the summary line only.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (warmup < 0) throw new ParameterException(spec.commandLine(), "--warmup must be 0 or more");
        PrintWriter out = spec.commandLine().getOut();
        List<byte[]> frames = FrameFile.read(file);
        var headers = new ArrayList<Head>(frames.size());
        for (byte[] f : frames) headers.add(Head.of(f));

        PlcHistory history = auditLog == null ? null : PlcHistory.parse(JSON.readTree(auditLog.toFile()));
        IdentityResolver network = null;
        DidResolver http = null;
        Identities identities;
        if (source.didDocs != null) {
            var offline = OfflineDocuments.read(source.didDocs);
            var ids = new OfflineIdentities(offline);
            // start-up: every document resolved before the clock starts (failures are judged per frame)
            for (String did : offline.dids()) ids.resolve(did, false);
            identities = new Identities(ids, ids);
        } else {
            var config = ResolverConfig.defaults(source.plc);
            http = new DidResolver(config, new AddressGuard(config.allowInsecureHosts()));
            network = new IdentityResolver(config, http::fetch);
            var ids = new ResolverIdentities(network);
            identities = new Identities(ids, ids);
        }
        if (history != null) {
            var asOf = new AsOf(history, identities);
            identities = new Identities(asOf, asOf);
        }
        try {
            var signatures = noNativeSecp256k1
                    ? CurveVerifiers.choose(new Secp256k1Library.Loading.Missing("--no-native-secp256k1"))
                    : CurveVerifiers.choose();
            var validation = ValidationConfig.strict().withLenient(lenient).withSignatures(signatures);

            long valid = 0, invalid = 0, discontinuity = 0, commits = 0, nanos = 0, cpuNanos = 0;
            var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
            // warm-up passes (negative pass numbers) run the same code, but nothing of theirs is counted
            for (int pass = -warmup; pass < repeat; pass++) {
                boolean timed = pass >= 0;
                var state = new InMemoryChainState(1 << 20);
                var validator = new FrameValidator(validation, state, Clock.systemUTC());
                var processor = new ValidatingProcessor(validator, state, identities.lookup(), identities.refresher(),
                        (f, m, v, emptied) -> {}, StageRecorder.NONE);
                var runner = new SequentialRunner(processor, identities.refresher(), Duration.ofSeconds(30).toMillis());
                for (int i = 0; i < frames.size(); i++) {
                    Head h = headers.get(i);
                    if (identities.lookup() instanceof AsOf asOf) asOf.at = h.madeAt;
                    var frame = new InboundFrame(h.did, h.type, host, frames.get(i));
                    long c0 = cpu.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    Verdict v = runner.run(frame);
                    if (!timed) continue;
                    nanos += System.nanoTime() - t0;
                    cpuNanos += cpu.getCurrentThreadCpuTime() - c0;
                    switch (v) {
                        case Verdict.Pass p -> valid++;
                        case Verdict.Discontinuity d -> discontinuity++;
                        case Verdict.Drop d -> invalid++;
                    }
                    if ("#commit".equals(h.type)) commits++;
                    if (pass == 0 && !quiet) out.println(line(i, h, v));
                }
            }
            long total = (long) frames.size() * repeat;
            double seconds = nanos / 1e9;
            ObjectNode summary = JSON.createObjectNode();
            summary.put("summary", true);
            summary.put("frames", total);
            summary.put("valid", valid);
            summary.put("invalid", invalid);
            summary.put("discontinuity", discontinuity);
            summary.put("commits", commits);
            summary.put("passes", repeat);
            summary.put("warmup_passes", warmup);
            ObjectNode verifiers = summary.putObject("signature_verifiers");
            for (Curve curve : Curve.values()) {
                verifiers.put(CurveVerifiers.metricLabel(curve), signatures.implementation(curve));
            }
            summary.put("seconds", seconds);
            summary.put("frames_per_second", seconds > 0 ? Math.round(total / seconds) : 0);
            summary.put("commits_per_second", seconds > 0 ? Math.round(commits / seconds) : 0);
            // on a shared machine wall time includes waiting for a core; CPU time does not
            double cpuSeconds = cpuNanos / 1e9;
            summary.put("cpu_seconds", cpuSeconds);
            summary.put("frames_per_cpu_second", cpuSeconds > 0 ? Math.round(total / cpuSeconds) : 0);
            summary.put("commits_per_cpu_second", cpuSeconds > 0 ? Math.round(commits / cpuSeconds) : 0);
            out.println(JSON.writeValueAsString(summary));
            out.flush();
            return invalid == 0 ? 0 : 1;
        } finally {
            if (network != null) network.close();
            if (http != null) http.close();
        }
    }

    private static String line(int index, Head h, Verdict v) throws Exception {
        ObjectNode o = JSON.createObjectNode();
        o.put("index", index);
        if (h.seq >= 0) o.put("seq", h.seq); else o.putNull("seq");
        o.put("type", h.type);
        o.put("repo", h.did);
        switch (v) {
            case Verdict.Pass p -> {
                o.put("verdict", "valid");
                o.putNull("reason");
            }
            case Verdict.Discontinuity d -> {
                o.put("verdict", "discontinuity");
                o.put("reason", d.detail());
            }
            case Verdict.Drop d -> {
                o.put("verdict", "invalid");
                o.put("reason", d.reason().label());
                if (!d.detail().isEmpty()) o.put("detail", d.detail());
            }
        }
        return JSON.writeValueAsString(o);
    }

    /** What the output needs of a frame, read outside the timed validation. */
    private record Head(long seq, String type, String did, Instant madeAt) {
        static Head of(byte[] frame) {
            try {
                if (FirehoseCodec.decode(frame) instanceof SequencedMessage m) {
                    return new Head(m.seq(), m.type(), m.did(), madeAt(m));
                }
                var any = FirehoseCodec.decode(frame);
                return new Head(-1, any.type(), null, Instant.EPOCH);
            } catch (RuntimeException e) {
                return new Head(-1, null, null, Instant.EPOCH);
            }
        }

        /** When the event was made: the rev's timestamp for commits and syncs, else the event time. */
        private static Instant madeAt(SequencedMessage m) {
            try {
                String rev = switch (m) {
                    case CommitMessage c -> c.rev();
                    case SyncMessage s -> s.rev();
                    default -> null;
                };
                if (rev != null && Tid.isValid(rev)) {
                    long micros = Tid.parse(rev).micros();
                    return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000);
                }
                return Instant.parse(m.time());
            } catch (RuntimeException e) {
                return Instant.EPOCH;
            }
        }
    }

    private record Identities(IdentityLookup lookup, IdentityRefresher refresher) {}

    /** Identity as it stood when the current frame was made (audit-log DIDs); the documents for the rest. */
    private static final class AsOf implements IdentityLookup, IdentityRefresher {
        private final PlcHistory history;
        private final Identities current;
        Instant at = Instant.EPOCH;

        AsOf(PlcHistory history, Identities current) {
            this.history = history;
            this.current = current;
        }

        @Override
        public Optional<FrameValidator.Authority> cached(String did) {
            return history.knows(did) ? history.at(did, at) : current.lookup().cached(did);
        }

        @Override
        public void evict(String did) {
            if (!history.knows(did)) current.lookup().evict(did);
        }

        @Override
        public CompletionStage<?> resolve(String did, boolean evict) {
            return history.knows(did) ? CompletableFuture.completedFuture(null) : current.refresher().resolve(did, evict);
        }
    }
}
