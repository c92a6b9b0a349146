package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.store.StoreException;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import org.junit.jupiter.api.Test;

/** What the edge lets out of a failure: XRPC names and fixed messages, never the cause's own text. */
class XrpcEdgeTest {
    private static final String SECRET = "ERROR: invalid byte sequence for encoding \"UTF8\": 0x00 (PSQLException)";

    @Test
    void storeErrorsAndBugsAnswerWithFixedMessages() throws Exception {
        var routing = HttpRouting.builder();
        XrpcEdge.install(routing);
        routing.get("/store", (req, res) -> {
            throw new StoreException(SECRET, new IllegalStateException(SECRET));
        });
        routing.get("/bug", (req, res) -> {
            throw new IllegalStateException(SECRET);
        });
        routing.get("/xrpc", (req, res) -> {
            throw XrpcException.declared("RepoNotFound", "repo did:plc:x is not known");
        });
        var server = WebServer.builder().host("127.0.0.1").port(0).addRouting(routing).shutdownHook(false).build()
                .start();
        try {
            var http = new Http(server.port());
            var store = http.get("/store");
            assertThat(store.status()).isEqualTo(503);
            assertThat(store.error()).isEqualTo("ServiceUnavailable");
            assertThat(store.json().get("message").asText()).isEqualTo("database unavailable");
            var bug = http.get("/bug");
            assertThat(bug.status()).isEqualTo(500);
            assertThat(bug.error()).isEqualTo("InternalServerError");
            assertThat(bug.json().get("message").asText()).isEqualTo("internal error");
            for (var a : java.util.List.of(store, bug)) {
                assertThat(a.body()).doesNotContain("PSQL", "ERROR:", "0x00", "Exception");
            }
            var declared = http.get("/xrpc");
            assertThat(declared.status()).isEqualTo(400);
            assertThat(declared.json().get("message").asText()).isEqualTo("repo did:plc:x is not known");
        } finally {
            server.stop();
        }
    }
}
