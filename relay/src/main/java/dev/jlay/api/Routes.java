package dev.jlay.api;

import static dev.jlay.api.Routes.Auth.ADMIN;
import static dev.jlay.api.Routes.Auth.PUBLIC;
import static dev.jlay.api.Routes.Method.ANY;
import static dev.jlay.api.Routes.Method.GET;
import static dev.jlay.api.Routes.Method.POST;
import static dev.jlay.api.Routes.Method.WEBSOCKET;
import static dev.jlay.api.Routes.Port.API;
import static dev.jlay.api.Routes.Port.METRICS;

import dev.jlay.downstream.SubscribeRepos;
import dev.jlay.jetstream.JetstreamService;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every HTTP and WebSocket path the relay serves, on both ports, in one table ({@link #TABLE}).
 * Handlers live in their own classes as plain methods; a route names the handler's class and
 * method, and {@link #of} binds the table to the handler objects a relay (or a test) built.
 * docs/api.md is checked against this table by {@code RouteTableDocTest}.
 */
public final class Routes {
    /** The API socket (XRPC, firehose, admin, health) or the metrics socket. */
    public enum Port { API, METRICS }

    /** {@code ANY} answers every method (subscribeRepos' plain-HTTP errors); {@code WEBSOCKET} is an upgrade on GET. */
    public enum Method { GET, POST, ANY, WEBSOCKET }

    /** {@code ADMIN}: the bearer token is checked ({@link AdminAuth}) before the handler runs. */
    public enum Auth { PUBLIC, ADMIN }

    /** A handler method of {@code T}, unbound: {@code SyncRepos::listRepos}. */
    @FunctionalInterface
    public interface HandlerMethod<T> {
        void handle(T owner, ServerRequest req, ServerResponse res) throws Exception;
    }

    /** What serves a route: a method of the handler object of class {@code owner}. */
    public sealed interface Target<T> {
        Class<T> owner();
    }

    public record HttpTarget<T>(Class<T> owner, HandlerMethod<T> action) implements Target<T> {
    }

    public record WsTarget<T>(Class<T> owner, Function<T, WsListener> listener) implements Target<T> {
    }

    public record Route(Port port, Method method, String path, Auth auth, Target<?> target) {
    }

    static final String SYNC = "/xrpc/com.atproto.sync.";

    /** The relay's whole surface. Order matters only where paths overlap (none do). */
    public static final List<Route> TABLE = List.of(
            // public: com.atproto.sync.*
            http(API, GET, SYNC + "listRepos", PUBLIC, SyncRepos.class, SyncRepos::listRepos),
            http(API, GET, SYNC + "getRepoStatus", PUBLIC, SyncRepos.class, SyncRepos::getRepoStatus),
            http(API, GET, SYNC + "getLatestCommit", PUBLIC, SyncRepos.class, SyncRepos::getLatestCommit),
            http(API, GET, SYNC + "getRepo", PUBLIC, SyncRepos.class, SyncRepos::getRepo),
            http(API, GET, SYNC + "listHosts", PUBLIC, SyncHosts.class, SyncHosts::listHosts),
            http(API, GET, SYNC + "getHostStatus", PUBLIC, SyncHosts.class, SyncHosts::getHostStatus),
            http(API, POST, SYNC + "requestCrawl", PUBLIC, SyncHosts.class, SyncHosts::requestCrawl),
            http(API, GET, SYNC + "listReposByCollection", PUBLIC, SyncCollections.class, SyncCollections::list),
            // the firehose: the upgrade, and plain HTTP on the same path (400/405/426/503 as XRPC errors)
            ws(API, SubscribeRepos.PATH, SubscribeRepos.class, SubscribeRepos::listener),
            http(API, ANY, SubscribeRepos.PATH, PUBLIC, SubscribeReposEdge.class, SubscribeReposEdge::plainHttp),
            // Jetstream v1's JSON stream from the same log: the upgrade, and plain HTTP (400 with the reason, 426, 503)
            ws(API, JetstreamService.PATH, JetstreamService.class, JetstreamService::listener),
            http(API, ANY, JetstreamService.PATH, PUBLIC, JetstreamEdge.class, JetstreamEdge::plainHttp),
            // health and the status page
            http(API, GET, "/_health", PUBLIC, Health.class, Health::health),
            http(API, GET, "/", PUBLIC, StatusPage.class, StatusPage::page),
            // admin: hosts, bans, takedowns, consumers, audit
            http(API, GET, "/admin/hosts", ADMIN, AdminHosts.class, AdminHosts::list),
            http(API, POST, "/admin/hosts/block", ADMIN, AdminHosts.class, AdminHosts::block),
            http(API, POST, "/admin/hosts/unblock", ADMIN, AdminHosts.class, AdminHosts::unblock),
            http(API, POST, "/admin/hosts/limits", ADMIN, AdminHosts.class, AdminHosts::limits),
            http(API, POST, "/admin/hosts/crawl", ADMIN, AdminHosts.class, AdminHosts::crawl),
            http(API, GET, "/admin/bans", ADMIN, AdminBans.class, AdminBans::list),
            http(API, POST, "/admin/bans", ADMIN, AdminBans.class, AdminBans::add),
            http(API, POST, "/admin/bans/remove", ADMIN, AdminBans.class, AdminBans::remove),
            http(API, POST, "/admin/repos/takedown", ADMIN, AdminRepos.class, AdminRepos::takedown),
            http(API, POST, "/admin/repos/reverse-takedown", ADMIN, AdminRepos.class, AdminRepos::reverse),
            http(API, GET, "/admin/repos/takedowns", ADMIN, AdminRepos.class, AdminRepos::list),
            http(API, GET, "/admin/consumers", ADMIN, AdminApi.class, AdminApi::consumers),
            http(API, GET, "/admin/jetstream", ADMIN, AdminJetstream.class, AdminJetstream::list),
            http(API, GET, "/admin/audit", ADMIN, AdminApi.class, AdminApi::audit),
            // admin: memory, NMT, JFR, profiler
            http(API, GET, "/admin/memory", ADMIN, MemoryAdmin.class, MemoryAdmin::memory),
            http(API, POST, "/admin/memory/trim", ADMIN, MemoryAdmin.class, MemoryAdmin::trim),
            http(API, GET, "/admin/nmt", ADMIN, MemoryAdmin.class, MemoryAdmin::nmt),
            http(API, POST, "/admin/nmt/baseline", ADMIN, MemoryAdmin.class, MemoryAdmin::nmtBaseline),
            http(API, GET, "/admin/nmt/diff", ADMIN, MemoryAdmin.class, MemoryAdmin::nmtDiff),
            http(API, GET, "/admin/jfr", ADMIN, MemoryAdmin.class, MemoryAdmin::jfrDump),
            http(API, POST, "/admin/profile", ADMIN, MemoryAdmin.class, MemoryAdmin::profile),
            // the metrics socket serves this alone
            http(METRICS, GET, "/metrics", PUBLIC, MetricsEndpoint.class, MetricsEndpoint::render));

    private static <T> Route http(Port port, Method method, String path, Auth auth, Class<T> owner,
                                  HandlerMethod<T> action) {
        return new Route(port, method, path, auth, new HttpTarget<>(owner, action));
    }

    private static <T> Route ws(Port port, String path, Class<T> owner, Function<T, WsListener> listener) {
        return new Route(port, WEBSOCKET, path, PUBLIC, new WsTarget<>(owner, listener));
    }

    private final Map<Class<?>, Object> handlers;
    private final boolean partial;

    private Routes(Map<Class<?>, Object> handlers, boolean partial) {
        this.handlers = handlers;
        this.partial = partial;
    }

    /**
     * The whole table bound to {@code handlers} (one object per handler class, plus the
     * {@link AdminAuth} that guards admin routes); fails when a route has no handler.
     */
    public static Routes of(Collection<?> handlers) {
        var routes = new Routes(byClass(handlers), false);
        for (var r : TABLE) {
            routes.handler(r); // a missing handler fails here, before anything listens
        }
        return routes;
    }

    /**
     * An edge's surface: the routes of {@code handlers} (subscribeRepos, /metrics, ...), and every
     * {@code com.atproto.sync.*} HTTP route of the table, which the edge does not serve itself, sent
     * to the primary by the {@link PrimaryProxy} among {@code handlers}.
     */
    public static Routes forEdge(Collection<?> handlers) {
        var routes = new Routes(byClass(handlers), true);
        if (!routes.handlers.containsKey(PrimaryProxy.class)) {
            throw new IllegalArgumentException("an edge's routes need a PrimaryProxy");
        }
        return routes;
    }

    /** Only the routes whose handler class is among {@code handlers} (tests serve a part of the surface). */
    static Routes partial(Collection<?> handlers) {
        return new Routes(byClass(handlers), true);
    }

    private static Map<Class<?>, Object> byClass(Collection<?> handlers) {
        var map = new HashMap<Class<?>, Object>();
        for (var h : handlers) {
            if (map.put(h.getClass(), h) != null) {
                throw new IllegalArgumentException("two handlers of " + h.getClass().getSimpleName());
            }
        }
        return map;
    }

    /** The HTTP routes of {@code port}; the API port also gets the XRPC edge (error mapping, Server header). */
    public HttpRouting.Builder http(Port port) {
        var http = HttpRouting.builder();
        if (port == API) {
            // refusals are counted around everything else, the XRPC edge's own answers included
            if (handlers.get(RefusedRequests.class) instanceof RefusedRequests refused) {
                refused.register(http);
            }
            XrpcEdge.install(http);
            RequestLineLimit.register(http);
        }
        for (var r : TABLE) {
            if (r.port() != port || r.target() instanceof WsTarget<?>) {
                continue;
            }
            var handler = handler(r);
            if (handler == null) {
                continue;
            }
            var bound = r.auth() == ADMIN ? auth().guard(handler) : handler;
            switch (r.method()) {
                case GET -> http.get(r.path(), bound);
                case POST -> http.post(r.path(), bound);
                case ANY -> http.any(r.path(), bound);
                case WEBSOCKET -> throw new IllegalStateException("a WebSocket route with an HTTP handler: " + r.path());
            }
        }
        return http;
    }

    /** The WebSocket endpoints (all on the API port). */
    public WsRouting.Builder webSockets() {
        var ws = WsRouting.builder();
        for (var r : TABLE) {
            if (r.target() instanceof WsTarget<?> target && handlers.containsKey(target.owner())) {
                ws.endpoint(r.path(), listenerOf(target));
            }
        }
        return ws;
    }

    /** The handler of an HTTP route; null when a partial table leaves its class out. */
    private Handler handler(Route r) {
        var owner = handlers.get(r.target().owner());
        if (owner == null && r.path().startsWith(SYNC) && r.target() instanceof HttpTarget<?>
                && handlers.get(PrimaryProxy.class) instanceof PrimaryProxy proxy) {
            return proxy::forward; // an edge: the primary answers
        }
        if (owner == null) {
            if (partial) {
                return null;
            }
            throw new IllegalStateException("no handler of " + r.target().owner().getSimpleName() + " for "
                    + r.method() + " " + r.path());
        }
        if (r.auth() == ADMIN && !handlers.containsKey(AdminAuth.class)) {
            throw new IllegalStateException("admin route " + r.path() + " without an AdminAuth");
        }
        return switch (r.target()) {
            case HttpTarget<?> h -> bind(h, owner);
            case WsTarget<?> w -> null;
        };
    }

    private static <T> Handler bind(HttpTarget<T> target, Object owner) {
        var typed = target.owner().cast(owner);
        return (req, res) -> target.action().handle(typed, req, res);
    }

    private <T> Supplier<WsListener> listenerOf(WsTarget<T> target) {
        var typed = target.owner().cast(handlers.get(target.owner()));
        return () -> target.listener().apply(typed);
    }

    private AdminAuth auth() {
        return (AdminAuth) handlers.get(AdminAuth.class);
    }
}
