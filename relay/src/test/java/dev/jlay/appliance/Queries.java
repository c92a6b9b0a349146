package dev.jlay.appliance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/**
 * Every PromQL expression the appliance ships: dashboard panel targets,
 * dashboard variable queries, and alert rules, each with where it came from.
 */
final class Queries {
    private Queries() {}

    /** One expression and its origin ("memory.json: RSS by owner", "jlay-alerts.yml: JlayDatabaseDown"). */
    record Query(String origin, String expr, boolean promql) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern RELAY_NAME = Pattern.compile("(?<![A-Za-z0-9_:])(relay_[A-Za-z0-9_:]+)");
    private static final Pattern GRAFANA_BUILTIN = Pattern.compile("\\$__[A-Za-z_]+");
    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{?[A-Za-z_][A-Za-z0-9_]*\\}?");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([^,)]+)\\s*,\\s*[A-Za-z_]+\\s*\\)");

    static List<Path> dashboardFiles() {
        try (Stream<Path> s = Files.list(RepoFiles.file("dashboards"))) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode readJson(Path p) {
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("invalid JSON in " + p, e);
        }
    }

    /** Panel targets (PromQL) and variable queries (label_values: only the metric selector is PromQL). */
    static List<Query> fromDashboards() {
        var out = new ArrayList<Query>();
        for (Path file : dashboardFiles()) {
            JsonNode d = readJson(file);
            String name = file.getFileName().toString();
            for (JsonNode panel : d.path("panels")) {
                for (JsonNode t : panel.path("targets")) {
                    out.add(new Query(name + ": " + panel.path("title").asText(), t.path("expr").asText(), true));
                }
            }
            for (JsonNode v : d.path("templating").path("list")) {
                String q = v.path("query").isObject() ? v.path("query").path("query").asText() : v.path("query").asText();
                Matcher m = LABEL_VALUES.matcher(q);
                if (m.matches()) {
                    out.add(new Query(name + ": variable " + v.path("name").asText(), m.group(1).trim(), true));
                } else {
                    out.add(new Query(name + ": variable " + v.path("name").asText(), q, false));
                }
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<Query> fromAlertRules() {
        Path file = RepoFiles.file("dashboards/jlay-alerts.yml");
        Map<String, Object> doc;
        try {
            doc = new Yaml().load(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var out = new ArrayList<Query>();
        for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                String name = String.valueOf(rule.getOrDefault("alert", rule.get("record")));
                out.add(new Query("jlay-alerts.yml: " + name, String.valueOf(rule.get("expr")), true));
            }
        }
        return out;
    }

    static List<Query> all() {
        var out = new ArrayList<>(fromDashboards());
        out.addAll(fromAlertRules());
        return out;
    }

    /** Replaces Grafana's variables with values Prometheus accepts: $__rate_interval → 5m, $instance → .+ */
    static String asPromql(String grafanaExpr) {
        String s = GRAFANA_BUILTIN.matcher(grafanaExpr).replaceAll("5m");
        return GRAFANA_VARIABLE.matcher(s).replaceAll(".+");
    }

    /** The relay_* metric names an expression reads (string literals, i.e. label values, do not count). */
    static Set<String> relayMetricNames(String expr) {
        String code = STRING.matcher(expr).replaceAll("\"\"");
        var names = new TreeSet<String>();
        Matcher m = RELAY_NAME.matcher(code);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static Set<String> relayMetricNames(List<Query> queries) {
        var names = new TreeSet<String>();
        queries.forEach(q -> names.addAll(relayMetricNames(q.expr())));
        return names;
    }
}
