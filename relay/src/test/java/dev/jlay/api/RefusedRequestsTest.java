package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.metrics.MetricRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class RefusedRequestsTest {

    @Test
    void aFloodOfRefusalsIsCountedEachAndLoggedOncePerInterval() {
        var metrics = new MetricRegistry();
        var now = new AtomicLong(1_000);
        var refused = new RefusedRequests(metrics, now::get);
        var lines = new ArrayList<String>();
        try (var capture = new Capture(lines)) {
            for (int i = 0; i < 10_000; i++) refused.refused(i % 2 == 0 ? 400 : 401, "GET", "/a\u0000\nb");
            now.addAndGet(RefusedRequests.INTERVAL_NANOS);
            refused.refused(404, "GET", "/x");
        }
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("refused 1 ").contains("400 GET /a??b"); // the first line comes at once
        assertThat(lines.get(1)).contains("refused 10000 ").contains("404 GET /x");
        String text = metrics.render();
        assertThat(text).contains("relay_http_refused_total{reason=\"bad_request\"} 5000")
                .contains("relay_http_refused_total{reason=\"unauthorized\"} 5000")
                .contains("relay_http_refused_total{reason=\"not_found\"} 1");
    }

    @Test
    void whatAClientSentIsCutShortAndHasNoControlCharacters() {
        assertThat(RefusedRequests.printable("a\r\nb\u0000c\u007f")).isEqualTo("a??b?c?");
        assertThat(RefusedRequests.printable("x".repeat(500))).hasSize(123).endsWith("...");
    }

    private static final class Capture extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger(RefusedRequests.class.getName());
        private final List<String> lines;

        Capture(List<String> lines) {
            this.lines = lines;
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            lines.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
