package dev.jlay.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real HTTP probe against servers on 127.0.0.1 (insecure mode: http://localhost:port). */
class HttpServerProbeTest {
    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/xrpc/com.atproto.server.describeServer", ex -> {
            var body = "{\"did\":\"did:web:localhost\"}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Server", "test-pds");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private CrawlHostname host() throws CrawlRefusedException {
        return CrawlHostname.parse("localhost:" + server.getAddress().getPort(), true);
    }

    @Test
    void readsStatusServerHeaderAndBody() throws Exception {
        var answer = new HttpServerProbe(Duration.ofSeconds(5), true).describeServer(host());
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.server()).isEqualTo("test-pds");
        assertThat(answer.body()).contains("did:web:localhost");
    }

    @Test
    void asksInPlainHttp11SoAPdsThatDropsUpgradeRequestsAnswers() throws Exception {
        // like @atproto/pds: its server hands every Upgrade request to the WebSocket code, which
        // destroys the socket unless the path is subscribeRepos (the JDK's h2c upgrade was one)
        server.removeContext("/xrpc/com.atproto.server.describeServer");
        server.createContext("/xrpc/com.atproto.server.describeServer", ex -> {
            if (ex.getRequestHeaders().containsKey("Upgrade")) {
                // no reply: the connection is closed, as the PDS does
                ex.close();
                return;
            }
            var body = "{\"did\":\"did:web:localhost\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        var answer = new HttpServerProbe(Duration.ofSeconds(5), true).describeServer(host());
        assertThat(answer.status()).isEqualTo(200);
    }

    @Test
    void doesNotFollowRedirects() throws Exception {
        server.removeContext("/xrpc/com.atproto.server.describeServer");
        server.createContext("/xrpc/com.atproto.server.describeServer", ex -> {
            ex.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        var answer = new HttpServerProbe(Duration.ofSeconds(5), true).describeServer(host());
        assertThat(answer.status()).isEqualTo(302);
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        server.removeContext("/xrpc/com.atproto.server.describeServer");
        server.createContext("/xrpc/com.atproto.server.describeServer", ex -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        long start = System.nanoTime();
        assertThatThrownBy(() -> new HttpServerProbe(Duration.ofMillis(300), true).describeServer(host()))
                .isInstanceOf(IOException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aSlowDripBodyHitsTheDeadlineToo() throws Exception {
        server.removeContext("/xrpc/com.atproto.server.describeServer");
        server.createContext("/xrpc/com.atproto.server.describeServer", ex -> {
            ex.sendResponseHeaders(200, 0); // chunked, never finished in time
            try {
                for (int i = 0; i < 30; i++) {
                    ex.getResponseBody().write(' ');
                    ex.getResponseBody().flush();
                    Thread.sleep(100);
                }
            } catch (InterruptedException | IOException e) {
                // client gave up
            }
            ex.close();
        });
        long start = System.nanoTime();
        assertThatThrownBy(() -> new HttpServerProbe(Duration.ofMillis(500), true).describeServer(host()))
                .isInstanceOf(IOException.class).hasMessageContaining("within 500 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anUnusedPortIsAnIoError() throws Exception {
        var h = host();
        server.stop(0);
        assertThatThrownBy(() -> new HttpServerProbe(Duration.ofSeconds(2), true).describeServer(h))
                .isInstanceOf(IOException.class);
    }
}
