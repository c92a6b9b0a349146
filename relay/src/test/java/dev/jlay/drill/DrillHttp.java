package dev.jlay.drill;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GETs a drill makes of the relay on loopback: /_health, /metrics. A timeout is an answer too. */
final class DrillHttp {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Status, body and how long it took; status -1 with the error as body when there was no answer in time. */
    record Reply(int status, String body, long millis) {}

    private DrillHttp() {
    }

    static Reply get(int port, String path, Duration timeout) {
        long t0 = System.nanoTime();
        try {
            var res = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(res.statusCode(), res.body(), (System.nanoTime() - t0) / 1_000_000);
        } catch (java.io.IOException e) {
            return new Reply(-1, e.toString(), (System.nanoTime() - t0) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(-1, e.toString(), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    static Reply health(int port) {
        return get(port, "/_health", Duration.ofSeconds(10));
    }
}
