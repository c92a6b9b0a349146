package dev.jlay.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The relay's configuration: defaults, then the YAML file, then {@code RELAY_*}
 * environment variables (the last wins). Every key of {@link ConfigKeys#ALL} is
 * validated when loading, so a bad value stops the relay at start, not later.
 * Unknown YAML keys are errors (a typo must not silently fall back to a default);
 * unknown {@code RELAY_*} variables are reported as warnings.
 */
public final class RelayConfig {
    private final Map<String, String> values;
    private final Map<String, String> sources;
    private final List<String> warnings;

    private RelayConfig(Map<String, String> values, Map<String, String> sources, List<String> warnings) {
        this.values = Map.copyOf(values);
        this.sources = Map.copyOf(sources);
        this.warnings = List.copyOf(warnings);
    }

    /** Loads from the process environment and an optional YAML file. */
    public static RelayConfig load(Optional<Path> yaml) {
        return load(yaml, System.getenv());
    }

    /** Loads with an explicit environment (tests). */
    public static RelayConfig load(Optional<Path> yaml, Map<String, String> env) {
        var problems = new ArrayList<String>();
        var warnings = new ArrayList<String>();
        var values = new HashMap<String, String>();
        var sources = new HashMap<String, String>();
        for (var key : ConfigKeys.ALL) {
            values.put(key.path(), key.defaultValue());
            sources.put(key.path(), "default");
        }
        yaml.ifPresent(path -> readYaml(path, values, sources, problems));
        var known = new HashSet<String>();
        for (var key : ConfigKeys.ALL) {
            known.add(key.envName());
            var fromEnv = env.get(key.envName());
            if (fromEnv != null) {
                values.put(key.path(), fromEnv);
                sources.put(key.path(), "env " + key.envName());
            }
        }
        for (var name : new TreeMap<>(env).keySet()) {
            // RELAY_CONFIG names the file itself; RELAY_URL is the scripts' address of a running relay
            if (name.startsWith("RELAY_") && !known.contains(name) && !name.equals("RELAY_CONFIG")
                    && !name.equals("RELAY_URL")) {
                warnings.add("unknown environment variable " + name + " (ignored)");
            }
        }
        for (var key : ConfigKeys.ALL) {
            check(key, values.get(key.path()), sources.get(key.path()), problems);
        }
        if (problems.isEmpty()) {
            checkDatabaseTimeouts(values, problems, warnings);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new RelayConfig(values, sources, warnings);
    }

    /** A config of defaults plus the given overrides by YAML path (tests, embedded use). */
    public static RelayConfig of(Map<String, String> overrides) {
        var env = new HashMap<String, String>();
        overrides.forEach((path, value) -> env.put(ConfigKey.envName(path), value));
        return load(Optional.empty(), env);
    }

    private static void readYaml(Path path, Map<String, String> values, Map<String, String> sources,
                                 List<String> problems) {
        if (!Files.isRegularFile(path)) {
            problems.add("config file not found: " + path);
            return;
        }
        Config config;
        try {
            config = Config.builder()
                    .disableEnvironmentVariablesSource()
                    .disableSystemPropertiesSource()
                    .sources(ConfigSources.file(path))
                    .build();
            var known = new HashSet<String>();
            ConfigKeys.ALL.forEach(k -> known.add(k.path()));
            config.traverse().filter(Config::isLeaf).forEach(node -> {
                var key = node.key().toString();
                if (!known.contains(key)) {
                    problems.add(path + ": unknown key '" + key + "'");
                    return;
                }
                values.put(key, node.asString().orElse(""));
                sources.put(key, path.getFileName().toString());
            });
        } catch (RuntimeException e) {
            problems.add(path + ": cannot read: " + e.getMessage());
        }
    }

    /**
     * Zero would mean "wait forever", which these keys exist to prevent. The server should get to
     * cancel a slow statement before the socket timeout breaks its connection (else the pool
     * reconnects for every slow statement): a warning, since it still bounds every call.
     */
    private static void checkDatabaseTimeouts(Map<String, String> values, List<String> problems,
                                              List<String> warnings) {
        int connect = Integer.parseInt(values.get(ConfigKeys.DATABASE_CONNECTION_TIMEOUT_MS.path()).trim());
        int statement = Integer.parseInt(values.get(ConfigKeys.DATABASE_STATEMENT_TIMEOUT_MS.path()).trim());
        int socket = Integer.parseInt(values.get(ConfigKeys.DATABASE_SOCKET_TIMEOUT_MS.path()).trim());
        if (connect <= 0 || statement <= 0 || socket <= 0) {
            problems.add("the database timeouts (" + ConfigKeys.DATABASE_CONNECTION_TIMEOUT_MS.path() + ", "
                    + ConfigKeys.DATABASE_STATEMENT_TIMEOUT_MS.path() + ", "
                    + ConfigKeys.DATABASE_SOCKET_TIMEOUT_MS.path() + ") must be positive");
        } else if (socket <= statement) {
            warnings.add(ConfigKeys.DATABASE_SOCKET_TIMEOUT_MS.path() + " (" + socket + ") must exceed "
                    + ConfigKeys.DATABASE_STATEMENT_TIMEOUT_MS.path() + " (" + statement + "): a slow statement "
                    + "breaks its connection instead of being cancelled");
        }
    }

    private static void check(ConfigKey key, String value, String source, List<String> problems) {
        var where = key.path() + " (" + source + ")";
        try {
            switch (key.type()) {
                case INT -> {
                    if (Integer.parseInt(value.trim()) < 0) {
                        problems.add(where + ": must not be negative: " + value);
                    }
                }
                case LONG -> {
                    if (Long.parseLong(value.trim()) < 0) {
                        problems.add(where + ": must not be negative: " + value);
                    }
                }
                case PORT -> {
                    int p = Integer.parseInt(value.trim());
                    if (p < 0 || p > 65535) {
                        problems.add(where + ": not a port: " + value);
                    }
                }
                case BYTES -> ByteSize.parse(value);
                case BOOL -> {
                    var v = value.trim().toLowerCase(Locale.ROOT);
                    if (!v.equals("true") && !v.equals("false")) {
                        problems.add(where + ": must be true or false: " + value);
                    }
                }
                case URL -> {
                    var uri = URI.create(value.trim());
                    if (uri.getScheme() == null || uri.getHost() == null
                            || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                        problems.add(where + ": must be an http(s) URL: " + value);
                    }
                }
                case STRING -> {
                }
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            problems.add(where + ": " + e.getMessage());
        }
    }

    /** The raw (validated) value of a key. */
    public String get(ConfigKey key) {
        return values.get(key.path()).trim();
    }

    /** Where the value came from: "default", the file name, or "env RELAY_...". */
    public String source(ConfigKey key) {
        return sources.get(key.path());
    }

    public int getInt(ConfigKey key) {
        return Integer.parseInt(get(key));
    }

    public long getLong(ConfigKey key) {
        return Long.parseLong(get(key));
    }

    public long getBytes(ConfigKey key) {
        return ByteSize.parse(get(key));
    }

    public boolean getBool(ConfigKey key) {
        return Boolean.parseBoolean(get(key));
    }

    public List<String> warnings() {
        return warnings;
    }

    public String host() {
        return get(ConfigKeys.HOST);
    }

    public int port() {
        return getInt(ConfigKeys.PORT);
    }

    public int metricsPort() {
        return getInt(ConfigKeys.METRICS_PORT);
    }

    /** Where /metrics listens: {@code metrics.host}, else {@link #host()}. */
    public String metricsHost() {
        var h = get(ConfigKeys.METRICS_HOST);
        return h.isBlank() ? host() : h;
    }

    /** The admin token when configured; empty means generate (see {@code AdminToken}). */
    public Optional<String> adminToken() {
        var t = get(ConfigKeys.ADMIN_TOKEN);
        return t.isEmpty() ? Optional.empty() : Optional.of(t);
    }

    public Path dataDir() {
        return Path.of(get(ConfigKeys.DATA_DIR));
    }

    public Optional<String> databaseUrl() {
        var u = get(ConfigKeys.DATABASE_URL);
        return u.isEmpty() ? Optional.empty() : Optional.of(u);
    }

    public URI plcUrl() {
        return URI.create(get(ConfigKeys.PLC_URL));
    }

    public boolean allowInsecureHosts() {
        return getBool(ConfigKeys.ALLOW_INSECURE_HOSTS);
    }

    /** One line per key: path, value (secrets hidden), source. For {@code check-config}. */
    public List<String> describe() {
        var lines = new ArrayList<String>();
        for (var key : ConfigKeys.ALL) {
            var v = get(key);
            if (key == ConfigKeys.ADMIN_TOKEN && !v.isEmpty()) {
                v = "(set)";
            } else if (key == ConfigKeys.DATABASE_URL && v.contains("password")) {
                v = v.replaceAll("password=[^&;]*", "password=***");
            }
            lines.add(key.path() + " = " + v + "   [" + source(key) + ", " + key.envName() + "]");
        }
        return lines;
    }
}
