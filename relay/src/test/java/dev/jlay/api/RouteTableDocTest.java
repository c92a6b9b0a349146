package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/api.md against {@link Routes#TABLE}: every route is documented as {@code `METHOD /path`}
 * (a WebSocket or any-method route as GET), every {@code `METHOD /path`} the page documents is
 * served with that method, a bare {@code `/admin/...`} or {@code `/xrpc/...`} mention names a
 * served path, and what the page lists under a "metrics port" heading is on the metrics port.
 */
class RouteTableDocTest {
    /** {@code `GET /path?query`}, {@code `POST /path {body}`}: the method and the path. */
    private static final Pattern ENDPOINT = Pattern.compile("`(GET|POST|PUT|PATCH|DELETE|HEAD) (/[^`?\\s{]*)[^`]*`");
    /** A path mentioned without a method, e.g. {@code `/admin/memory`}. */
    private static final Pattern MENTION = Pattern.compile("`(/(?:xrpc/|admin/|_)[^`?\\s{]*)[^`\\s]*`");

    record Documented(String method, String path, Routes.Port port, int line) {
    }

    @Test
    void apiMdAndTheRouteTableAgree() throws IOException {
        assertThat(problems(Files.readString(apiMd()), Routes.TABLE)).isEmpty();
    }

    @Test
    void aDocumentedPathThatIsNotServedIsReported() {
        var doc = documentAll(Routes.TABLE) + "\n- `GET /admin/nothing-here`: not served\n";
        assertThat(problems(doc, Routes.TABLE))
                .containsExactly("line 5: GET /admin/nothing-here is documented but not served");
    }

    @Test
    void aRouteTheDocLeavesOutIsReported() {
        var table = new ArrayList<>(Routes.TABLE);
        var missing = table.removeLast(); // /metrics
        assertThat(problems(documentAll(table), Routes.TABLE))
                .containsExactly("GET /metrics (METRICS port) is served but not documented");
        assertThat(missing.path()).isEqualTo("/metrics");
    }

    @Test
    void aWrongMethodOrPortIsReported() {
        var doc = documentAll(Routes.TABLE) + "\n- `POST /_health`\n## Metrics port\n- `GET /_health`\n";
        assertThat(problems(doc, Routes.TABLE)).containsExactly(
                "line 5: POST /_health is documented but not served",
                "line 7: GET /_health is documented under the metrics port but served on API");
    }

    @Test
    void aBareMentionOfAnUnservedPathIsReported() {
        var doc = documentAll(Routes.TABLE) + "\nsee `/admin/gone` and `/xrpc/com.atproto.sync.listRepos?limit=5`\n";
        assertThat(problems(doc, Routes.TABLE)).containsExactly("line 5: /admin/gone is mentioned but not served");
    }

    /** A doc that lists each route of {@code table} on one line per port: what a test appends starts at line 5. */
    private static String documentAll(List<Routes.Route> table) {
        return "## Metrics port\n" + oneLine(table, Routes.Port.METRICS) + "\n## API\n" + oneLine(table, Routes.Port.API);
    }

    private static String oneLine(List<Routes.Route> table, Routes.Port port) {
        return String.join(" · ", table.stream().filter(r -> r.port() == port)
                .map(r -> "`" + documentedMethod(r) + " " + r.path() + "`").toList());
    }

    static List<String> problems(String markdown, List<Routes.Route> table) {
        var documented = parse(markdown);
        var out = new ArrayList<String>();
        for (var d : documented) {
            if (d.method() == null) {
                if (table.stream().noneMatch(r -> r.path().equals(d.path()))) {
                    out.add("line " + d.line() + ": " + d.path() + " is mentioned but not served");
                }
                continue;
            }
            var served = table.stream().filter(r -> r.path().equals(d.path()) && serves(r, d.method())).toList();
            if (served.isEmpty()) {
                out.add("line " + d.line() + ": " + d.method() + " " + d.path() + " is documented but not served");
            } else if (d.port() == Routes.Port.METRICS && served.stream().noneMatch(r -> r.port() == d.port())) {
                out.add("line " + d.line() + ": " + d.method() + " " + d.path()
                        + " is documented under the metrics port but served on " + served.getFirst().port());
            }
        }
        for (var r : table) {
            boolean found = documented.stream().anyMatch(d -> d.method() != null && d.path().equals(r.path())
                    && serves(r, d.method()) && (d.port() == Routes.Port.METRICS) == (r.port() == Routes.Port.METRICS));
            if (!found) {
                out.add(documentedMethod(r) + " " + r.path() + " (" + r.port() + " port) is served but not documented");
            }
        }
        return out;
    }

    /** A WebSocket is an upgraded GET; an any-method route answers GET and POST alike. */
    private static boolean serves(Routes.Route r, String method) {
        return switch (r.method()) {
            case GET -> method.equals("GET");
            case POST -> method.equals("POST");
            case WEBSOCKET -> method.equals("GET");
            case ANY -> true;
        };
    }

    private static String documentedMethod(Routes.Route r) {
        return r.method() == Routes.Method.POST ? "POST" : "GET";
    }

    private static List<Documented> parse(String markdown) {
        var out = new ArrayList<Documented>();
        var port = Routes.Port.API;
        var lines = markdown.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            var line = lines[i];
            if (line.startsWith("#")) {
                port = line.toLowerCase(Locale.ROOT).contains("metrics port") ? Routes.Port.METRICS : Routes.Port.API;
                continue;
            }
            var m = ENDPOINT.matcher(line);
            while (m.find()) {
                out.add(new Documented(m.group(1), m.group(2), port, i + 1));
            }
            var b = MENTION.matcher(line);
            while (b.find()) {
                out.add(new Documented(null, b.group(1), port, i + 1));
            }
        }
        return out;
    }

    /** docs/api.md from the repository root; tests run in relay/. */
    private static Path apiMd() {
        var here = Path.of("").toAbsolutePath();
        for (var dir = here; dir != null; dir = dir.getParent()) {
            var candidate = dir.resolve("docs/api.md");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("docs/api.md not found above " + here);
    }
}
