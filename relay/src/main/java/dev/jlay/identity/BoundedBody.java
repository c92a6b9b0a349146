package dev.jlay.identity;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a response body into memory, but never more than {@code cap} bytes: past the cap it cancels
 * the subscription (which aborts the exchange) and completes with {@link TooLarge}. A declared
 * Content-Length over the cap fails before a byte is read.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    /** The body was larger than allowed. */
    static final class TooLarge extends RuntimeException {
        TooLarge(long cap) {
            super("response body larger than " + cap + " bytes", null, false, false);
        }
    }

    private final int cap;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    private Flow.Subscription subscription;

    private BoundedBody(int cap) {
        this.cap = cap;
    }

    static HttpResponse.BodyHandler<byte[]> handler(int cap) {
        return info -> {
            long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
            if (declared > cap) {
                var failed = new BoundedBody(cap);
                failed.result.completeExceptionally(new TooLarge(cap));
                return failed;
            }
            return new BoundedBody(cap);
        };
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (result.isDone()) {
            s.cancel();
        } else {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer b : items) {
            if (out.size() + (long) b.remaining() > cap) {
                result.completeExceptionally(new TooLarge(cap));
                subscription.cancel();
                return;
            }
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            out.writeBytes(chunk);
        }
    }

    @Override
    public void onError(Throwable t) {
        result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        result.complete(out.toByteArray());
    }
}
