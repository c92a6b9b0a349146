package dev.jlay.upstream;

/**
 * Optional callbacks about a host's connection, for the code that owns host state (admission,
 * status, persisted cursors). Called on the host's reader thread: keep them short, never block.
 */
public interface HostListener {
    default void onConnected(String host, long cursor) {}

    /** An error frame (op -1); e.g. {@code FutureCursor} means our cursor is ahead of the host. */
    default void onErrorFrame(String host, String error, String message) {}

    /** An {@code #info} frame, e.g. {@code OutdatedCursor}. */
    default void onInfo(String host, String name, String message) {}

    default void onDisconnected(String host, String reason) {}

    HostListener NONE = new HostListener() {};
}
