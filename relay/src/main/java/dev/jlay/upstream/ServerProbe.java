package dev.jlay.upstream;

import java.io.IOException;

/**
 * Asks a host's {@code com.atproto.server.describeServer}. A seam so admission tests can stand
 * in for a remote server without any traffic.
 */
@FunctionalInterface
public interface ServerProbe {
    /**
     * @param status      HTTP status
     * @param server      the {@code Server} response header, or null
     * @param body        the response body (capped), possibly empty
     */
    record Answer(int status, String server, String body) {
    }

    /** @throws IOException when the host does not answer in time (or at all) */
    Answer describeServer(CrawlHostname host) throws IOException;
}
