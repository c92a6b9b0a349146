package dev.jlay.sim;

import dev.jlay.atproto.stream.FrameHeader;
import dev.jlay.identity.DidResolver;
import dev.jlay.identity.IdentityResolver;
import dev.jlay.identity.ResolverConfig;
import dev.jlay.pipeline.InboundFrame;
import dev.jlay.pipeline.ResolverIdentities;
import dev.jlay.pipeline.SequentialRunner;
import dev.jlay.pipeline.StageRecorder;
import dev.jlay.pipeline.ValidatingProcessor;
import dev.jlay.net.AddressGuard;
import dev.jlay.upstream.PayloadFields;
import dev.jlay.validate.FrameValidator;
import dev.jlay.validate.InMemoryChainState;
import dev.jlay.validate.ValidationConfig;
import dev.jlay.validate.Verdict;
import java.net.URI;
import java.time.Clock;

/**
 * The relay's own strict validation path (ValidatingProcessor + FrameValidator, identities
 * resolved over HTTP from the PLC stub, host authority checked), one frame at a time with
 * chain state carried along: what the simulator emits is judged exactly as the relay would.
 */
final class SimVerifier implements AutoCloseable {
    private final DidResolver http;
    private final IdentityResolver resolver;
    private final SequentialRunner runner;

    SimVerifier(URI plc) {
        var config = ResolverConfig.defaults(plc).withAllowInsecureHosts(true);
        http = new DidResolver(config, new AddressGuard(true));
        resolver = new IdentityResolver(config, http::fetch);
        var ids = new ResolverIdentities(resolver);
        var state = new InMemoryChainState(100_000);
        var validator = new FrameValidator(ValidationConfig.strict(), state, Clock.systemUTC());
        var processor = new ValidatingProcessor(validator, state, ids, ids, (f, m, v, emptied) -> {}, StageRecorder.NONE);
        runner = new SequentialRunner(processor, ids, 10_000);
    }

    /** The verdict on {@code frame} as received from {@code host} (host:port). */
    Verdict check(String host, byte[] frame) {
        String did = null, type = null;
        try {
            var header = FrameHeader.peek(frame);
            type = header.type();
            did = PayloadFields.scan(frame, header.payloadOffset()).did();
        } catch (RuntimeException e) {
            // garbage: the processor says why
        }
        return runner.run(new InboundFrame(did, type, host, frame));
    }

    @Override
    public void close() {
        resolver.close();
        http.close();
    }
}
