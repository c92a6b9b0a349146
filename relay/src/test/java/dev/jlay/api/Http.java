package dev.jlay.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small loopback HTTP client for API tests: real requests, JSON answers. */
final class Http {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;
    private final String token;

    record Answer(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String error() {
            return json().path("error").asText();
        }
    }

    Http(int port) {
        this(port, null);
    }

    Http(int port, String token) {
        this.port = port;
        this.token = token;
    }

    Http withToken(String t) {
        return new Http(port, t);
    }

    private HttpRequest.Builder request(String path) {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    Answer get(String path) throws Exception {
        return send(request(path).GET().build());
    }

    Answer post(String path, String json) throws Exception {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    Answer delete(String path) throws Exception {
        return send(request(path).DELETE().build());
    }

    private Answer send(HttpRequest r) throws Exception {
        var res = client.send(r, HttpResponse.BodyHandlers.ofString());
        return new Answer(res.statusCode(), res.body(), res);
    }
}
