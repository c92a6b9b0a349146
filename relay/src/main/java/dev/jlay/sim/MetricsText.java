package dev.jlay.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A parsed Prometheus text exposition (what the relay's {@code /metrics} answers): the demo's
 * status line and the soak report read the relay the way an operator's Prometheus does, so
 * they need no access to its insides and work the same in-process and across processes.
 */
public final class MetricsText {

    /** One sample: family name, labels, value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private final List<Sample> samples;

    private MetricsText(List<Sample> samples) {
        this.samples = samples;
    }

    public static MetricsText parse(String text) {
        var out = new ArrayList<Sample>();
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            try {
                out.add(sample(line));
            } catch (RuntimeException e) {
                // a line we cannot read is skipped, as a scraper would
            }
        }
        return new MetricsText(out);
    }

    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space;
        String name;
        var labels = new LinkedHashMap<String, String>();
        if (brace >= 0 && brace < line.indexOf(' ')) {
            name = line.substring(0, brace);
            int i = brace + 1;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String key = line.substring(i, eq).strip();
                var value = new StringBuilder();
                int j = eq + 2; // past ="
                while (line.charAt(j) != '"') {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char n = line.charAt(++j);
                        value.append(n == 'n' ? '\n' : n);
                    } else {
                        value.append(c);
                    }
                    j++;
                }
                labels.put(key, value.toString());
                i = j + 1;
                if (line.charAt(i) == ',') i++;
            }
            space = i + 1;
        } else {
            space = line.indexOf(' ');
            name = line.substring(0, space);
        }
        String rest = line.substring(space).strip();
        int end = rest.indexOf(' ');
        String v = end < 0 ? rest : rest.substring(0, end);
        return new Sample(name, Map.copyOf(labels), parseValue(v));
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The sum of every series of {@code name} (0 when absent). */
    public double sum(String name) {
        double s = 0;
        for (Sample x : samples) if (x.name().equals(name)) s += x.value();
        return s;
    }

    /** True when the family has at least one series. */
    public boolean has(String name) {
        for (Sample x : samples) if (x.name().equals(name)) return true;
        return false;
    }

    /** Series of {@code name} summed by the value of {@code label} (series without it are skipped). */
    public Map<String, Double> byLabel(String name, String label) {
        var out = new TreeMap<String, Double>();
        for (Sample x : samples) {
            String v = x.labels().get(label);
            if (x.name().equals(name) && v != null) out.merge(v, x.value(), Double::sum);
        }
        return out;
    }

    /**
     * Cumulative bucket counts of histogram {@code name} ({@code name_bucket} series) by the value
     * of {@code label}, each keyed by its upper bound {@code le} (+Inf included).
     */
    public Map<String, TreeMap<Double, Double>> buckets(String name, String label) {
        var out = new TreeMap<String, TreeMap<Double, Double>>();
        String bucket = name + "_bucket";
        for (Sample x : samples) {
            String v = x.labels().get(label), le = x.labels().get("le");
            if (!x.name().equals(bucket) || v == null || le == null) continue;
            out.computeIfAbsent(v, k -> new TreeMap<>()).merge(parseValue(le), x.value(), Double::sum);
        }
        return out;
    }
}
