package dev.jlay.jetstream;

import dev.jlay.atproto.syntax.Did;
import dev.jlay.atproto.syntax.Nsid;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one Jetstream connection wants, as Jetstream v1 parses it: {@code wantedCollections} (an
 * NSID, or a prefix ending in {@code .*}, at most 100 after removing duplicates), {@code wantedDids}
 * (at most 10,000 distinct), {@code maxMessageSizeBytes} (0 = no limit; negative or unreadable is
 * 0). Immutable: an {@code options_update} swaps in a new one. {@link #wants} is a set lookup on
 * strings the shared {@link JetstreamEvent} already holds, so no consumer decodes JSON to filter.
 *
 * @param dids        null = every DID
 * @param collections null = every collection (and identity/account events are filtered by DID only)
 * @param prefixes    each ends in {@code .} (the {@code *} is dropped)
 */
public record JetstreamFilter(Set<String> dids, Set<String> collections, List<String> prefixes,
                              int maxMessageSizeBytes) {
    public static final int MAX_COLLECTIONS = 100;
    public static final int MAX_DIDS = 10_000;
    public static final JetstreamFilter ALL = new JetstreamFilter(null, null, List.of(), 0);

    /** Options Jetstream refuses: the message is the reason it gives. */
    public static final class InvalidOptionsException extends Exception {
        public InvalidOptionsException(String message) {
            super("invalid options: " + message);
        }
    }

    /** Parses the lists as given in the query or an {@code options_update}; null or empty = no filter. */
    public static JetstreamFilter parse(List<String> wantedCollections, List<String> wantedDids, int maxMessageSizeBytes)
            throws InvalidOptionsException {
        Set<String> collections = null;
        var prefixes = new ArrayList<String>();
        if (wantedCollections != null && !wantedCollections.isEmpty()) {
            if (wantedCollections.size() > MAX_COLLECTIONS * 100) {
                throw new InvalidOptionsException("too many wanted collections: " + wantedCollections.size());
            }
            collections = new HashSet<>();
            var seenPrefixes = new LinkedHashSet<String>();
            for (var raw : wantedCollections) {
                if (raw.endsWith(".*")) {
                    // Jetstream checks nothing more of a prefix ("app.bsky.*" has too few segments for an NSID)
                    if (seenPrefixes.add(raw.substring(0, raw.length() - 1))) {
                        prefixes.add(raw.substring(0, raw.length() - 1));
                    }
                } else if (Nsid.isValid(raw)) {
                    collections.add(raw);
                } else {
                    throw new InvalidOptionsException("invalid collection: " + raw);
                }
                if (collections.size() + prefixes.size() > MAX_COLLECTIONS) {
                    throw new InvalidOptionsException("too many wanted collections: > " + MAX_COLLECTIONS);
                }
            }
        }
        Set<String> dids = null;
        if (wantedDids != null && !wantedDids.isEmpty()) {
            if (wantedDids.size() > MAX_DIDS * 100) {
                throw new InvalidOptionsException("too many wanted DIDs: " + wantedDids.size());
            }
            dids = new HashSet<>(Math.min(wantedDids.size(), MAX_DIDS) * 2);
            for (var raw : wantedDids) {
                if (!Did.isValid(raw)) {
                    throw new InvalidOptionsException("invalid DID: " + raw);
                }
                dids.add(raw);
            }
            if (dids.size() > MAX_DIDS) {
                throw new InvalidOptionsException("too many wanted DIDs: " + dids.size() + " > " + MAX_DIDS);
            }
        }
        return new JetstreamFilter(dids == null ? null : Set.copyOf(dids),
                collections == null ? null : Set.copyOf(collections), List.copyOf(prefixes),
                Math.max(0, maxMessageSizeBytes));
    }

    /** Jetstream's reading of the query value: empty, unreadable, negative or too large is 0 (no limit). */
    public static int maxMessageSize(String raw) {
        if (raw == null || raw.isEmpty()) {
            return 0;
        }
        try {
            long n = Long.parseLong(raw);
            return n < 0 || n > Integer.MAX_VALUE ? 0 : (int) n;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether this connection is sent {@code e} (its size limit included). */
    public boolean wants(JetstreamEvent e) {
        if (maxMessageSizeBytes > 0 && e.json().length > maxMessageSizeBytes) {
            return false;
        }
        if (dids != null && !dids.contains(e.did())) {
            return false;
        }
        var collection = e.collection();
        if (collections == null && prefixes.isEmpty() || collection == null) {
            return true; // identity and account events pass a collection filter
        }
        if (collections != null && collections.contains(collection)) {
            return true;
        }
        for (var p : prefixes) {
            if (collection.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** For the admin listing: the filter as counts and the collection patterns. */
    public String describe() {
        var parts = new ArrayList<String>();
        if (collections != null) {
            var all = new ArrayList<>(collections);
            prefixes.forEach(p -> all.add(p + "*"));
            all.sort(null);
            parts.add("collections=" + String.join(",", all));
        } else if (!prefixes.isEmpty()) {
            parts.add("collections=" + String.join(",", prefixes.stream().map(p -> p + "*").toList()));
        }
        if (dids != null) {
            parts.add("dids=" + dids.size());
        }
        if (maxMessageSizeBytes > 0) {
            parts.add("maxMessageSizeBytes=" + maxMessageSizeBytes);
        }
        return parts.isEmpty() ? "all" : String.join(" ", parts);
    }
}
