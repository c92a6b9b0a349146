package dev.jlay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package table of docs/architecture.md is the rule: each package of the relay imports only
 * the packages its row names, every row is a real package and every package has a row; and no
 * two types in relay/ or bench/ share a simple name, so a reader never needs a full package name.
 */
class PackageDependencyTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z]+)` \\|[^|]*\\| (.*) \\|$");
    private static final Pattern NAMED = Pattern.compile("`([a-z.]+)`");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.jlay\\.([a-z]+)\\.", Pattern.MULTILINE);
    private static final Pattern ROOT_IMPORT = Pattern.compile("^import (?:static )?dev\\.jlay\\.([A-Z]\\w*)", Pattern.MULTILINE);

    private static Path repo() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("relay/src/main/java/dev/jlay")) && Files.isDirectory(p.resolve("docs"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }

    private static Map<String, Set<String>> documentedRules() throws IOException {
        var rules = new TreeMap<String, Set<String>>();
        for (String line : Files.readAllLines(repo().resolve("docs/architecture.md"))) {
            var m = ROW.matcher(line.strip());
            if (m.matches()) {
                var allowed = new TreeSet<String>();
                NAMED.matcher(m.group(2)).results().forEach(r -> allowed.add(r.group(1)));
                rules.put(m.group(1), allowed);
            }
        }
        return rules;
    }

    /** package → the packages of ours its main sources import, and where. */
    private static Map<String, Map<String, String>> actualImports() throws IOException {
        var imports = new TreeMap<String, Map<String, String>>();
        Path main = repo().resolve("relay/src/main/java/dev/jlay");
        try (Stream<Path> dirs = Files.list(main)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                var found = new TreeMap<String, String>();
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                        String text = Files.readString(f);
                        String pkg = dir.getFileName().toString();
                        IMPORT.matcher(text).results().map(r -> r.group(1)).filter(p -> !p.equals(pkg))
                                .forEach(p -> found.putIfAbsent(p, main.relativize(f).toString()));
                        ROOT_IMPORT.matcher(text).results()
                                .forEach(r -> found.putIfAbsent("dev.jlay", main.relativize(f).toString()));
                    }
                }
                imports.put(dir.getFileName().toString(), found);
            }
        }
        return imports;
    }

    @Test
    void everyPackageImportsOnlyWhatItsRowAllows() throws IOException {
        var rules = documentedRules();
        var actual = actualImports();
        assertThat(rules.keySet()).as("rows of docs/architecture.md vs packages under dev.jlay")
                .containsExactlyInAnyOrderElementsOf(actual.keySet());
        var violations = new ArrayList<String>();
        actual.forEach((pkg, imported) -> imported.forEach((target, where) -> {
            if (!rules.getOrDefault(pkg, Set.of()).contains(target)) {
                violations.add(pkg + " imports " + target + " (" + where + ")");
            }
        }));
        assertThat(violations).as("imports the table does not allow").isEmpty();
    }

    @Test
    void theRulesHaveNoCycleButMetricsAndMemory() throws IOException {
        var rules = documentedRules();
        var cycles = new ArrayList<String>();
        for (var a : rules.keySet()) {
            for (var b : rules.get(a)) {
                if (rules.getOrDefault(b, Set.of()).contains(a) && a.compareTo(b) < 0
                        && !Set.of(a, b).equals(Set.of("memory", "metrics"))) {
                    cycles.add(a + " <-> " + b);
                }
            }
        }
        assertThat(cycles).isEmpty();
    }

    @Test
    void noTwoTypesShareASimpleName() throws IOException {
        var where = new TreeMap<String, java.util.List<String>>();
        for (String root : new String[] {"relay/src/main/java", "relay/src/test/java", "bench/src/main/java"}) {
            Path dir = repo().resolve(root);
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("package-info.java"))
                        .forEach(p -> where.computeIfAbsent(p.getFileName().toString().replace(".java", ""),
                                k -> new ArrayList<>()).add(repo().relativize(p).toString()));
            }
        }
        var shared = where.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .map(e -> e.getKey() + ": " + e.getValue()).toList();
        assertThat(shared).isEmpty();
    }
}
