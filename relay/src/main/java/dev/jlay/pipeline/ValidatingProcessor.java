package dev.jlay.pipeline;

import static dev.jlay.pipeline.StageRecorder.PipelineStage.DECODE;
import static dev.jlay.pipeline.StageRecorder.PipelineStage.IDENTITY;
import static dev.jlay.pipeline.StageRecorder.PipelineStage.MST;
import static dev.jlay.pipeline.StageRecorder.PipelineStage.VALIDATE;

import dev.jlay.atproto.stream.ErrorMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.FrameException;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.atproto.stream.InfoMessage;
import dev.jlay.atproto.stream.RepoMessage;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.atproto.stream.UnknownMessage;
import dev.jlay.validate.ChainState;
import dev.jlay.validate.Checked;
import dev.jlay.validate.DropReason;
import dev.jlay.validate.FrameValidator;
import dev.jlay.validate.Verdict;
import java.util.Optional;

/**
 * The worker's per-frame path: decode → identity → validate → repo state →
 * accepted. No unverified pass: a DID whose identity is not cached is sent to
 * the parking lot ({@link Step.NeedIdentity}); a signature or host failure
 * against a cached identity re-resolves once, then drops.
 */
public final class ValidatingProcessor implements FrameProcessor {

    private final FrameValidator validator;
    private final ChainState state;
    private final IdentityLookup identities;
    private final IdentityRefresher refresher;
    private final AcceptedFrames accepted;
    private final StageRecorder stages;
    private final FrameValidator.MstTimer mstTimer;

    public ValidatingProcessor(FrameValidator validator, ChainState state, IdentityLookup identities,
                               IdentityRefresher refresher, AcceptedFrames accepted, StageRecorder stages) {
        this.validator = validator;
        this.state = state;
        this.identities = identities;
        this.refresher = refresher;
        this.accepted = accepted;
        this.stages = stages;
        this.mstTimer = new FrameValidator.MstTimer() {
            @Override
            public long start() {
                return System.nanoTime();
            }

            @Override
            public void stop(long token) {
                // allocation is left with validate: nesting two allocation windows would double count
                stages.record(MST, token, -1, System.nanoTime(), -1);
            }
        };
    }

    @Override
    public Step process(InboundFrame frame) {
        if (frame.size() > validator.config().maxFrameBytes()) {
            return done(Verdict.drop(DropReason.FRAME_TOO_BIG, frame.size() + " bytes"));
        }
        // The stage windows are chained: one clock and one allocation-counter reading per boundary,
        // the end of decode being the start of identity and so on. Each window closes in a finally,
        // so a frame dropped (or failing) in a stage still records that stage. Locals, not fields:
        // one processor serves every worker thread.
        long startNanos = System.nanoTime();
        long startAllocated = stages.allocatedNow();
        long endNanos;
        long endAllocated;
        RepoMessage decoded;
        try {
            decoded = FirehoseCodec.decode(frame.bytes());
        } catch (FrameException e) {
            return done(Verdict.drop("too_many_ops".equals(e.reason()) ? DropReason.TOO_MANY_OPS : DropReason.MALFORMED_FRAME,
                    e.getMessage()));
        } catch (RuntimeException e) {
            return done(Verdict.drop(DropReason.MALFORMED_FRAME, e.toString()));
        } finally {
            endNanos = System.nanoTime();
            endAllocated = stages.allocatedNow();
            stages.record(DECODE, startNanos, startAllocated, endNanos, endAllocated);
        }
        SequencedMessage message = switch (decoded) {
            case SequencedMessage s -> s;
            case InfoMessage i -> null;
            case ErrorMessage e -> null;
            case UnknownMessage u -> null;
        };
        if (message == null) {
            return done(switch (decoded) {
                case InfoMessage i -> Verdict.drop(DropReason.NOT_RELAYED, i.name());
                case ErrorMessage e -> Verdict.drop(DropReason.UPSTREAM_ERROR, e.error());
                default -> Verdict.drop(DropReason.UNKNOWN_TYPE, String.valueOf(decoded.type()));
            });
        }
        if (frame.did() != null && !frame.did().equals(message.did())) {
            return done(Verdict.drop(DropReason.MALFORMED_FRAME, "routed as " + frame.did() + ", payload is " + message.did()));
        }

        if (message instanceof IdentityMessage) {
            // the document may have changed: forget it and fetch it fresh in the background
            identities.evict(message.did());
            refresher.resolve(message.did(), false);
            return accept(frame, message, Checked.passThrough());
        }

        startNanos = endNanos; // identity starts where decode ended
        startAllocated = endAllocated;
        Optional<FrameValidator.Authority> authority;
        try {
            authority = identities.cached(message.did());
        } finally {
            endNanos = System.nanoTime();
            endAllocated = stages.allocatedNow();
            stages.record(IDENTITY, startNanos, startAllocated, endNanos, endAllocated);
        }
        if (authority.isEmpty()) {
            // Resolve (again, if this frame was already released by a resolution: an #identity
            // released from the parking lot with it has evicted the DID since). A failed fetch
            // drops the frame and the lot's expiry bounds the waiting, so this cannot loop.
            return new Step.NeedIdentity(false);
        }

        startNanos = endNanos; // validate starts where identity ended
        startAllocated = endAllocated;
        Checked checked;
        try {
            checked = validator.check(message, frame.host(), authority.get(), mstTimer);
        } finally {
            stages.record(VALIDATE, startNanos, startAllocated, System.nanoTime(), stages.allocatedNow());
        }
        if (checked.verdict() instanceof Verdict.Drop d && !frame.identityRefreshed() && retriesIdentity(d.reason())) {
            // the key may have rotated or the account moved: re-resolve once, then judge again
            return new Step.NeedIdentity(true);
        }
        return accept(frame, message, checked);
    }

    private static boolean retriesIdentity(DropReason r) {
        return r == DropReason.BAD_SIGNATURE || r == DropReason.WRONG_HOST || r == DropReason.IDENTITY_INCOMPLETE;
    }

    private Step accept(InboundFrame frame, SequencedMessage message, Checked checked) {
        checked.applyTo(state); // a drop changes nothing, unless the frame was withheld (Checked#withheld)
        if (checked.verdict().passes()) {
            accepted.accept(frame, message, checked.verdict(), checked.emptiedCollections());
        }
        return done(checked.verdict());
    }

    private static Step done(Verdict v) {
        return new Step.Done(v);
    }
}
