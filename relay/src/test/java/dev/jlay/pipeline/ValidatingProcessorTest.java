package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.repo.RepoWriter;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.atproto.syntax.TidClock;
import dev.jlay.validate.DropReason;
import dev.jlay.validate.FrameValidator;
import dev.jlay.validate.InMemoryChainState;
import dev.jlay.validate.ValidationConfig;
import dev.jlay.validate.Verdict;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** No unverified pass: what the processor does when the identity is missing or stale. */
class ValidatingProcessorTest {

    private static final String DID = "did:plc:abcdefghijklmnopqrstuvwx";
    private static final URI PDS = URI.create("https://pds.example.com");

    private final Keypair oldKey = Keypair.generate(Curve.K256, new SecureRandom(new byte[] {3}));
    private final Keypair newKey = Keypair.generate(Curve.K256, new SecureRandom(new byte[] {4}));
    private final HashMap<String, FrameValidator.Authority> cache = new HashMap<>();
    private final HashMap<String, FrameValidator.Authority> directory = new HashMap<>();
    private final List<String> events = new ArrayList<>();
    private final List<Verdict> accepted = new ArrayList<>();

    private final IdentityLookup lookup = new IdentityLookup() {
        @Override
        public Optional<FrameValidator.Authority> cached(String did) {
            return Optional.ofNullable(cache.get(did));
        }

        @Override
        public void evict(String did) {
            events.add("evict " + did);
            cache.remove(did);
        }
    };

    private final IdentityRefresher refresher = new IdentityRefresher() {
        @Override
        public CompletionStage<?> resolve(String did, boolean evict) {
            events.add("resolve " + did + (evict ? " (evict)" : ""));
            if (evict) cache.remove(did);
            var a = directory.get(did);
            if (a == null) return CompletableFuture.failedFuture(new IllegalStateException("not found"));
            cache.put(did, a);
            return CompletableFuture.completedFuture(a);
        }
    };

    private SequentialRunner runner() {
        var state = new InMemoryChainState(10);
        var v = new FrameValidator(ValidationConfig.strict(), state, Clock.systemUTC());
        var p = new ValidatingProcessor(v, state, lookup, refresher, (f, m, verdict, emptied) -> accepted.add(verdict), StageRecorder.NONE);
        return new SequentialRunner(p, refresher, 1000);
    }

    private byte[] genesisSignedBy(Keypair k) {
        var repo = RepoWriter.create(DID, k, TidClock.system(1));
        return FirehoseCodec.encode(repo.genesis().toMessage(1, "2026-11-26T04:00:00Z"));
    }

    private InboundFrame frame(byte[] bytes) {
        return new InboundFrame(DID, "#commit", "pds.example.com", bytes);
    }

    @Test
    void anUncachedDidIsResolvedBeforeItsFrameIsJudged() {
        directory.put(DID, new FrameValidator.Authority(newKey.publicKey(), PDS));
        var state = new InMemoryChainState(10);
        var p = new ValidatingProcessor(new FrameValidator(ValidationConfig.strict(), state, Clock.systemUTC()), state,
                lookup, refresher, (f, m, v, emptied) -> accepted.add(v), StageRecorder.NONE);
        assertThat(p.process(frame(genesisSignedBy(newKey)))).isEqualTo(new Step.NeedIdentity(false));
        assertThat(accepted).isEmpty();
        assertThat(runner().run(frame(genesisSignedBy(newKey)))).isEqualTo(Verdict.PASS);
        assertThat(events).containsExactly("resolve " + DID);
    }

    @Test
    void aRotatedKeyIsFollowedByOneReResolve() {
        cache.put(DID, new FrameValidator.Authority(oldKey.publicKey(), PDS)); // stale cache
        directory.put(DID, new FrameValidator.Authority(newKey.publicKey(), PDS));
        assertThat(runner().run(frame(genesisSignedBy(newKey)))).isEqualTo(Verdict.PASS);
        assertThat(events).containsExactly("resolve " + DID + " (evict)");
    }

    @Test
    void aBadSignatureStillBadAfterTheReResolveIsDropped() {
        cache.put(DID, new FrameValidator.Authority(newKey.publicKey(), PDS));
        directory.put(DID, new FrameValidator.Authority(newKey.publicKey(), PDS));
        var v = runner().run(frame(genesisSignedBy(oldKey)));
        assertThat(((Verdict.Drop) v).reason()).isEqualTo(DropReason.BAD_SIGNATURE);
        assertThat(events).containsExactly("resolve " + DID + " (evict)"); // once, not again
        assertThat(accepted).isEmpty();
    }

    @Test
    void anUnresolvableDidIsDroppedNotPassed() {
        var v = runner().run(frame(genesisSignedBy(oldKey)));
        assertThat(((Verdict.Drop) v).reason()).isEqualTo(DropReason.IDENTITY_UNRESOLVED);
        assertThat(accepted).isEmpty();
    }

    @Test
    void identityEventsEvictAndPassThrough() {
        cache.put(DID, new FrameValidator.Authority(oldKey.publicKey(), PDS));
        directory.put(DID, new FrameValidator.Authority(newKey.publicKey(), PDS));
        var bytes = FirehoseCodec.encode(new IdentityMessage(5, DID, "2026-11-26T04:00:00Z", "alice.example.com"));
        assertThat(runner().run(new InboundFrame(DID, "#identity", "pds.example.com", bytes))).isEqualTo(Verdict.PASS);
        assertThat(events).containsExactly("evict " + DID, "resolve " + DID);
        assertThat(cache.get(DID).key()).isEqualTo(newKey.publicKey());
    }

    @Test
    void garbageAndOversizeAreDroppedWithTheirReason() {
        var r = runner();
        assertThat(((Verdict.Drop) r.run(frame(new byte[] {1, 2, 3}))).reason()).isEqualTo(DropReason.MALFORMED_FRAME);
        assertThat(((Verdict.Drop) r.run(frame(new byte[5_000_001]))).reason()).isEqualTo(DropReason.FRAME_TOO_BIG);
    }
}
