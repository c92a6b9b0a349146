package dev.jlay.appliance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * dashboards/METRICS.md as data: metric name → type. A histogram's samples
 * (_bucket, _sum, _count) resolve to it.
 */
record MetricCatalog(Map<String, String> types) {
    private static final Pattern ROW = Pattern.compile("^\\| `(relay_[a-z0-9_]+)` \\| (counter|gauge|histogram|summary) \\|.*");
    private static final List<String> HISTOGRAM_SUFFIXES = List.of("_bucket", "_sum", "_count");

    static MetricCatalog load() {
        return parse(RepoFiles.file("dashboards/METRICS.md"));
    }

    static MetricCatalog parse(Path file) {
        var types = new LinkedHashMap<String, String>();
        try {
            for (String line : Files.readAllLines(file)) {
                var m = ROW.matcher(line);
                if (m.matches() && types.put(m.group(1), m.group(2)) != null) {
                    throw new IllegalStateException("listed twice in " + file + ": " + m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new MetricCatalog(types);
    }

    /** The catalogued family a sample name belongs to, or null. */
    String familyOf(String sampleName) {
        if (types.containsKey(sampleName)) {
            return sampleName;
        }
        for (String suffix : HISTOGRAM_SUFFIXES) {
            if (sampleName.endsWith(suffix)) {
                String base = sampleName.substring(0, sampleName.length() - suffix.length());
                if ("histogram".equals(types.get(base)) || "summary".equals(types.get(base))) {
                    return base;
                }
            }
        }
        return null;
    }
}
