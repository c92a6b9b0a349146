package dev.jlay.api;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * An edge's read-only {@code com.atproto.sync.*} endpoints and requestCrawl: each request goes to the
 * primary as it came (path, query, a JSON body of at most 64 KiB) and its answer comes back as the
 * primary gave it (status, content type, body streamed). The edge holds no repository state of its
 * own; a primary that does not answer is a 502 {@code UpstreamFailure}.
 */
public final class PrimaryProxy {
    private static final System.Logger LOG = System.getLogger(PrimaryProxy.class.getName());
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI primary;
    private final HttpClient client;

    /** @param primary the primary's base URL, e.g. {@code http://10.0.0.1:2470} */
    public PrimaryProxy(URI primary) {
        this.primary = primary;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    void forward(ServerRequest req, ServerResponse res) throws IOException, InterruptedException {
        var path = req.path().rawPath();
        var query = req.query().rawValue();
        var target = primary.resolve(path + (query == null || query.isEmpty() ? "" : "?" + query));
        var out = HttpRequest.newBuilder(target).timeout(TIMEOUT);
        if (req.prologue().method().text().equals("POST")) {
            byte[] body;
            try (InputStream in = req.content().inputStream()) {
                body = in.readNBytes(Json.MAX_BODY + 1);
            }
            if (body.length > Json.MAX_BODY) throw XrpcException.invalidRequest("request body over 64 KiB");
            out.POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json");
        } else {
            out.GET();
        }
        HttpResponse<InputStream> answer;
        try {
            answer = client.send(out.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "edge: the primary at {0} did not answer {1}: {2}", primary, path,
                    e.toString());
            throw new XrpcException(Status.BAD_GATEWAY_502, "UpstreamFailure", "the primary relay did not answer");
        }
        res.status(Status.create(answer.statusCode()));
        answer.headers().firstValue("content-type").ifPresent(t -> res.header(HeaderNames.CONTENT_TYPE, t));
        try (InputStream body = answer.body(); var sink = res.outputStream()) {
            body.transferTo(sink);
        }
    }
}
