package dev.jlay.upstream;

/**
 * One frame as received from a host, handed to the pipeline undecoded.
 *
 * @param host          the host it came from (as given to the {@link HostConnectionManager})
 * @param type          message type from the header, e.g. {@code #commit}
 * @param seq           the host's seq (positive; strictly increasing per connection)
 * @param did           the repo DID ({@code repo} or {@code did} field): the worker key
 * @param bytes         the exact WebSocket message (header + payload); never modified after handoff
 * @param payloadOffset where the payload starts in {@code bytes}
 * @param receivedNanos {@link System#nanoTime()} when the last byte arrived (for latency)
 */
public record UpstreamFrame(String host, String type, long seq, String did, byte[] bytes, int payloadOffset,
                            long receivedNanos) {}
