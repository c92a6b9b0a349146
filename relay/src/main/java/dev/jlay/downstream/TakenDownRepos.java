package dev.jlay.downstream;

import dev.jlay.eventlog.EventKind;
import dev.jlay.memory.BoundedBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The DIDs taken down by this relay right now, so the firehose stops serving their
 * repo content: a consumer reading the ring or the log skips their {@code #commit} and
 * {@code #sync} events, whatever seq they have (the log itself is never rewritten). Their
 * {@code #identity} and {@code #account} events still flow (the account spec passes
 * identity and status of inactive accounts on; the relay's own takedown event is one of
 * them). A reversal removes the DID, so replay serves its events again.
 *
 * <p>Loaded from the account store at start, updated by the admin takedown routes. Bounded:
 * a takedown beyond the capacity is refused ({@link FullException}) rather than accepted
 * and not enforced. {@link #hides} is a lock-free set lookup, cheap enough for every event
 * every consumer sends.
 */
public final class TakenDownRepos implements BoundedBuffer {
    /** String object, its byte array header, the map node and a table slot, roughly. */
    private static final long ENTRY_OVERHEAD = 40 + 32 + 16;

    /** A takedown beyond the capacity. */
    public static final class FullException extends RuntimeException {
        public FullException(int capacity) {
            super("takedown set is full (" + capacity + " DIDs; raise downstream.takedown-capacity)");
        }
    }

    /** Reads the taken-down DIDs a page at a time ({@code AccountStore.listByLocalStatus}). */
    @FunctionalInterface
    public interface Source {
        /** DIDs after {@code afterDid} (null = from the start), in order, at most {@code limit}. */
        List<String> page(String afterDid, int limit);
    }

    private final int capacity;
    private final Set<String> dids = ConcurrentHashMap.newKeySet();
    /** Mirrors the set's size so the per-event check on an empty set is one volatile read. */
    private volatile int size;
    private volatile long bytes;

    public TakenDownRepos(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    /** A set holding every DID the source lists; fails when they are more than the capacity. */
    public static TakenDownRepos load(int capacity, Source source) {
        var set = new TakenDownRepos(capacity);
        String after = null;
        while (true) {
            var page = source.page(after, 1000);
            for (var did : page) {
                set.add(did);
            }
            if (page.size() < 1000) {
                return set;
            }
            after = page.getLast();
        }
    }

    /** Adds a DID; true when it was not there. Throws {@link FullException} at capacity. */
    public synchronized boolean add(String did) {
        if (dids.contains(did)) {
            return false;
        }
        if (size >= capacity) {
            throw new FullException(capacity);
        }
        dids.add(did);
        size = dids.size();
        bytes += ENTRY_OVERHEAD + did.length();
        return true;
    }

    /** Removes a DID; true when it was there. */
    public synchronized boolean remove(String did) {
        if (!dids.remove(did)) {
            return false;
        }
        size = dids.size();
        bytes -= ENTRY_OVERHEAD + did.length();
        return true;
    }

    public boolean contains(String did) {
        return did != null && size > 0 && dids.contains(did);
    }

    /** Whether an event of this kind and DID must not be sent: repo content of a taken-down DID. */
    public boolean hides(EventKind kind, String did) {
        return (kind == EventKind.COMMIT || kind == EventKind.SYNC) && contains(did);
    }

    @Override
    public String bufferName() {
        return "takedowns";
    }

    @Override
    public long entries() {
        return size;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public long bytes() {
        return bytes;
    }
}
