package dev.jlay.pipeline;

import dev.jlay.validate.DropReason;
import dev.jlay.validate.Verdict;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs frames one at a time through a {@link FrameProcessor} with the pool's
 * identity semantics (park → resolve → retry, re-resolve at most once) but
 * waiting for resolution in place. For {@code verify}: same validation, no threads.
 */
public final class SequentialRunner {

    private final FrameProcessor processor;
    private final IdentityRefresher refresher;
    private final long resolveTimeoutMillis;

    public SequentialRunner(FrameProcessor processor, IdentityRefresher refresher, long resolveTimeoutMillis) {
        this.processor = processor;
        this.refresher = refresher;
        this.resolveTimeoutMillis = resolveTimeoutMillis;
    }

    public Verdict run(InboundFrame frame) {
        var f = frame;
        while (true) {
            switch (processor.process(f)) {
                case Step.Done d -> {
                    return d.verdict();
                }
                case Step.NeedIdentity n -> {
                    if (f.identityRefreshed()) {
                        // the processor must not ask twice; guard against a loop all the same
                        return Verdict.drop(DropReason.IDENTITY_UNRESOLVED, "asked again after a resolution");
                    }
                    try {
                        refresher.resolve(f.did(), n.refresh()).toCompletableFuture()
                                .get(resolveTimeoutMillis, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return Verdict.drop(DropReason.SHUTDOWN);
                    } catch (Exception e) {
                        var cause = e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException
                                ? e.getCause() : e;
                        return Verdict.drop(DropReason.IDENTITY_UNRESOLVED, String.valueOf(cause));
                    }
                    f = f.refreshed();
                }
            }
        }
    }
}
