package dev.jlay.appliance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** appliance/relay.yaml flattened to dotted keys ("metrics.port" → 2471). */
final class RelayConfigReference {
    private RelayConfigReference() {}

    static Map<String, Object> load() {
        try {
            Map<String, Object> doc = new Yaml().load(Files.readString(RepoFiles.file("appliance/relay.yaml")));
            var flat = new LinkedHashMap<String, Object>();
            flatten("", doc, flat);
            return flat;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Map<String, Object> map, Map<String, Object> out) {
        for (var e : map.entrySet()) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue() instanceof Map<?, ?> m) {
                flatten(key, (Map<String, Object>) m, out);
            } else {
                out.put(key, e.getValue());
            }
        }
    }
}
