package dev.jlay.upstream;

/**
 * Why a {@code requestCrawl} was refused. One subtype per reason; the API edge maps each to an
 * XRPC error name and HTTP status in one place ({@code dev.jlay.api.SyncHosts}).
 */
public abstract sealed class CrawlRefusedException extends Exception {
    private final String hostname;

    private CrawlRefusedException(String hostname, String message) {
        super(message);
        this.hostname = hostname;
    }

    /** The hostname as given (before normalization) or as normalized, whichever the check had. */
    public String hostname() {
        return hostname;
    }

    /** Not a hostname we accept: syntax, an IP literal, a single label, a port, a reserved TLD. */
    public static final class InvalidHostname extends CrawlRefusedException {
        public InvalidHostname(String hostname, String message) {
            super(hostname, message);
        }
    }

    /** A domain ban covers the host, or the host itself is banned. */
    public static final class Banned extends CrawlRefusedException {
        public Banned(String hostname, String message) {
            super(hostname, message);
        }
    }

    /** The name resolves to an address we must not contact (private, loopback, link-local, reserved). */
    public static final class ForbiddenAddress extends CrawlRefusedException {
        public ForbiddenAddress(String hostname, String message) {
            super(hostname, message);
        }
    }

    /** {@code com.atproto.server.describeServer} did not answer properly within the timeout. */
    public static final class NotAServer extends CrawlRefusedException {
        public NotAServer(String hostname, String message) {
            super(hostname, message);
        }
    }

    /** The host is an atproto relay (its {@code Server} header says so): crawling it would loop. */
    public static final class RelayLoop extends CrawlRefusedException {
        public RelayLoop(String hostname, String message) {
            super(hostname, message);
        }
    }

    /** The new-hosts-per-day limit is used up. */
    public static final class TooManyNewHosts extends CrawlRefusedException {
        public TooManyNewHosts(String hostname, String message) {
            super(hostname, message);
        }
    }

    /** The relay reads as many hosts as it is configured to ({@code upstream.max-hosts}). */
    public static final class AtCapacity extends CrawlRefusedException {
        public AtCapacity(String hostname, String message) {
            super(hostname, message);
        }
    }

    /** Too many crawl requests are being checked right now (bounded describeServer probes). */
    public static final class Busy extends CrawlRefusedException {
        public Busy(String hostname, String message) {
            super(hostname, message);
        }
    }
}
