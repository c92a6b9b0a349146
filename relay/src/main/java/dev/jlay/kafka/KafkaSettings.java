package dev.jlay.kafka;

import java.time.Duration;
import java.util.Properties;

/**
 * Where the firehose topic is and how much the publisher may hold: read from {@code kafka.*} by the
 * composition root. Publishing is on when {@code bootstrapServers} is not empty.
 *
 * @param bootstrapServers  comma-separated host:port list; empty = no Kafka
 * @param topic             the one-partition topic of the relay's events
 * @param inFlightBytes     frame bytes handed to the producer and not yet acknowledged (the bound of
 *                          buffer {@code kafka_publish_in_flight})
 * @param replicationFactor replicas when the publisher creates the topic (1 for one broker)
 */
public record KafkaSettings(String bootstrapServers, String topic, long inFlightBytes, short replicationFactor) {
    public KafkaSettings {
        bootstrapServers = bootstrapServers == null ? "" : bootstrapServers.strip();
        if (topic == null || topic.isBlank()) throw new IllegalArgumentException("kafka.topic is empty");
        if (inFlightBytes < 1 << 20) throw new IllegalArgumentException("kafka.in-flight-bytes is below 1 MiB");
        if (replicationFactor < 1) throw new IllegalArgumentException("kafka.replication-factor must be >= 1");
    }

    public boolean enabled() {
        return !bootstrapServers.isEmpty();
    }

    /** What every client of ours shares: the servers, short timeouts so an outage is seen soon. */
    Properties common(String clientId) {
        var p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("client.id", clientId);
        p.put("request.timeout.ms", "15000");
        p.put("default.api.timeout.ms", "15000");
        p.put("reconnect.backoff.max.ms", "2000");
        p.put("metadata.max.age.ms", "30000");
        return p;
    }

    /**
     * The Kafka clients log every client's whole configuration at INFO when it is made, and a
     * publisher retrying through an outage makes one every few seconds: they speak from WARNING.
     * (JUL holds loggers weakly: the field keeps this one and its level.)
     */
    private static final java.util.logging.Logger CLIENT_LOGS = java.util.logging.Logger.getLogger("org.apache.kafka");

    public static void quietClientLogs() {
        CLIENT_LOGS.setLevel(java.util.logging.Level.WARNING);
    }

    /** How long a call that needs the cluster waits before the caller backs off and tries again. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
}
