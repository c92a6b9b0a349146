package dev.jlay.api;

import io.helidon.http.DirectHandler;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * What the server answers for requests refused before routing (broken framing, oversized request
 * lines and headers): Helidon's answer, counted with the other refusals. And one correction: Helidon
 * turns some unreadable request lines (a method with a non-ASCII byte) into 500 "Internal error",
 * with a WARNING and stack trace each, so a client could fill the log and the 5xx alerts with
 * garbage. A failure before the request line was read is the client's bytes: a 400. An internal
 * error of a request that was read (a bug) stays a 500 with its log line.
 */
public final class UnreadableRequests {
    private UnreadableRequests() {
    }

    public static DirectHandlers handlers(RefusedRequests refused) {
        DirectHandler fallback = DirectHandler.defaultHandler();
        DirectHandler handler = (request, type, status, headers, message) -> {
            boolean unread = request.method() == null || request.method().isEmpty();
            var answer = type == DirectHandler.EventType.INTERNAL_ERROR && unread
                    ? fallback.handle(request, DirectHandler.EventType.BAD_REQUEST, Status.BAD_REQUEST_400, headers,
                    "Bad request")
                    : fallback.handle(request, type, status, headers, message);
            int code = answer.status().code();
            if (code >= 400 && code < 500) {
                refused.refusedDirectly(code, unread ? "-" : request.method(), request.path() == null ? "-" : request.path());
            }
            return answer;
        };
        var builder = DirectHandlers.builder();
        for (var type : DirectHandler.EventType.values()) builder.addHandler(type, handler);
        return builder.build();
    }
}
