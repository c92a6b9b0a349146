package dev.jlay.upstream;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Maps a host (bare name or URL) to its {@code subscribeRepos} WebSocket URL. */
public final class SubscribeUri {
    public static final String PATH = "/xrpc/com.atproto.sync.subscribeRepos";

    private SubscribeUri() {}

    /**
     * {@code https://h} and bare {@code h} become {@code wss://h}; {@code http://h} becomes {@code ws://h}
     * and {@code ws://} stays, both only when insecure hosts are allowed (otherwise they are refused).
     * A bare name maps to {@code ws://} when insecure hosts are allowed (the simulator's hosts).
     *
     * @throws IllegalArgumentException if the host is not a usable host or URL
     */
    public static URI base(String host, boolean allowInsecure) {
        String s = host.strip();
        URI u;
        try {
            u = s.contains("://") ? new URI(s) : new URI((allowInsecure ? "ws" : "wss") + "://" + s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a host: " + host, e);
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        String ws = switch (scheme) {
            case "https", "wss" -> "wss";
            case "http", "ws" -> {
                if (!allowInsecure) {
                    throw new IllegalArgumentException("insecure host not allowed: " + host);
                }
                yield "ws";
            }
            default -> throw new IllegalArgumentException("unsupported scheme: " + host);
        };
        String path = u.getRawPath();
        if (u.getHost() == null || u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null
                || (path != null && !path.isEmpty() && !path.equals("/"))) {
            throw new IllegalArgumentException("host must be scheme://host[:port] only: " + host);
        }
        try {
            return new URI(ws, null, u.getHost().toLowerCase(Locale.ROOT), u.getPort(), null, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a host: " + host, e);
        }
    }

    /** The subscribe URL for {@code base}, with {@code cursor} if positive. */
    public static URI subscribe(URI base, long cursor) {
        return URI.create(base + PATH + (cursor > 0 ? "?cursor=" + cursor : ""));
    }
}
