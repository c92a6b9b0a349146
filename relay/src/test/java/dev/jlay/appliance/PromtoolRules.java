package dev.jlay.appliance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Parses PromQL with the real Prometheus parser: each expression becomes a recording rule for `promtool check rules`. */
final class PromtoolRules {
    private PromtoolRules() {}

    static Command check(Path dir, List<String> expressions) {
        var yaml = new StringBuilder("groups:\n  - name: jlay_expression_check\n    rules:\n");
        for (int i = 0; i < expressions.size(); i++) {
            yaml.append("      - record: jlay_check_").append(i).append('\n')
                .append("        expr: '").append(expressions.get(i).replace("'", "''")).append("'\n");
        }
        Path file = dir.resolve("expressions.yml");
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path promtool = Command.require("promtool", "prometheus");
        return Command.run(dir, List.of(promtool.toString(), "check", "rules", file.toString()));
    }
}
