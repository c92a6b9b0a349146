package dev.jlay.pipeline;

/**
 * One upstream frame on its way through the pipeline: the exact bytes, the
 * repo DID it was routed by, the message type from the header peek, and the
 * host connection it came in on (host[:port], for host authority).
 *
 * @param upstreamSeq the host's own seq (0 when unknown, e.g. offline verify): the host's
 *        cursor may pass it only once this frame is durable or dropped
 * @param identityRefreshed the DID's identity was (re-)resolved after this
 *        frame arrived; a second signature or host failure then drops it
 */
public record InboundFrame(String did, String type, String host, long upstreamSeq, byte[] bytes,
                           long receivedNanos, boolean identityRefreshed) {

    public InboundFrame(String did, String type, String host, byte[] bytes) {
        this(did, type, host, 0, bytes, System.nanoTime(), false);
    }

    public InboundFrame refreshed() {
        return identityRefreshed ? this : new InboundFrame(did, type, host, upstreamSeq, bytes, receivedNanos, true);
    }

    public int size() {
        return bytes.length;
    }
}
