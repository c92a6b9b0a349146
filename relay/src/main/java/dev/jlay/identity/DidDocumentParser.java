package dev.jlay.identity;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.syntax.Did;
import dev.jlay.atproto.syntax.Handle;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a DID document (JSON) into a {@link DidDocument} following the atproto DID spec. Never throws
 * anything but {@link IdentityException.InvalidDocument}; fields atproto does not use are ignored.
 */
public final class DidDocumentParser {
    static final String MULTIKEY = "Multikey";
    static final Set<String> KEY_TYPES =
            Set.of(MULTIKEY, "EcdsaSecp256r1VerificationKey2019", "EcdsaSecp256k1VerificationKey2019");
    static final String PDS_TYPE = "AtprotoPersonalDataServer";

    // Documents are small and come from strangers: keep the JSON reader's own limits tight.
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(32)
                    .maxStringLength(1 << 16)
                    .maxNumberLength(64)
                    .build())
            .build());

    private DidDocumentParser() {}

    public static DidDocument parse(Did did, byte[] json) throws IdentityException.InvalidDocument {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IdentityException.InvalidDocument(did.value(), "not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IdentityException.InvalidDocument(did.value(), "unreadable: " + e.getMessage());
        }
        return parse(did, root);
    }

    public static DidDocument parse(Did did, JsonNode root) throws IdentityException.InvalidDocument {
        if (root == null || !root.isObject()) {
            throw new IdentityException.InvalidDocument(did.value(), "not a JSON object");
        }
        JsonNode id = root.get("id");
        if (id == null || !id.isTextual() || !id.textValue().equals(did.value())) {
            throw new IdentityException.InvalidDocument(did.value(), "id does not match the DID");
        }
        return new DidDocument(did, signingKey(did, root), pds(root), handle(root));
    }

    /** The first verification method whose id is #atproto; it must then also be usable. */
    private static Optional<DidDocument.KeyEntry> signingKey(Did did, JsonNode root) {
        JsonNode methods = root.get("verificationMethod");
        if (methods == null || !methods.isArray()) {
            return Optional.empty();
        }
        for (JsonNode m : methods) {
            if (!m.isObject() || !isFragment(text(m, "id"), did, "#atproto")) {
                continue;
            }
            String controller = text(m, "controller");
            String type = text(m, "type");
            String key = text(m, "publicKeyMultibase");
            if (!did.value().equals(controller) || type == null || !KEY_TYPES.contains(type)
                    || key == null || key.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new DidDocument.KeyEntry(type, key));
        }
        return Optional.empty();
    }

    private static Optional<URI> pds(JsonNode root) {
        JsonNode services = root.get("service");
        if (services == null || !services.isArray()) {
            return Optional.empty();
        }
        for (JsonNode s : services) {
            String id = s.isObject() ? text(s, "id") : null;
            if (id == null || !id.endsWith("#atproto_pds")) {
                continue;
            }
            if (!PDS_TYPE.equals(text(s, "type"))) {
                return Optional.empty();
            }
            return endpoint(text(s, "serviceEndpoint"));
        }
        return Optional.empty();
    }

    /** An http(s) URL with only scheme, host and optional port (a lone "/" path is tolerated). */
    static Optional<URI> endpoint(String s) {
        if (s == null || s.isEmpty() || s.length() > 2048) {
            return Optional.empty();
        }
        try {
            URI u = new URI(s);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            boolean okScheme = scheme.equals("https") || scheme.equals("http");
            boolean bare = u.getRawUserInfo() == null && u.getRawQuery() == null && u.getRawFragment() == null
                    && (u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"));
            if (!okScheme || u.getHost() == null || !bare || u.isOpaque()) {
                return Optional.empty();
            }
            return Optional.of(new URI(scheme, null, u.getHost().toLowerCase(Locale.ROOT), u.getPort(), null, null, null));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static Optional<Handle> handle(JsonNode root) {
        JsonNode aka = root.get("alsoKnownAs");
        if (aka == null || !aka.isArray()) {
            return Optional.empty();
        }
        for (JsonNode a : aka) {
            if (a.isTextual() && a.textValue().startsWith("at://")) {
                String h = a.textValue().substring(5);
                if (Handle.isValid(h)) {
                    return Optional.of(Handle.parse(h));
                }
            }
        }
        return Optional.empty();
    }

    private static boolean isFragment(String id, Did did, String fragment) {
        return id != null && (id.equals(fragment) || id.equals(did.value() + fragment));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.textValue() : null;
    }
}
