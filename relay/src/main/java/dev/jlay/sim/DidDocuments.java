package dev.jlay.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlay.atproto.crypto.Keypair;
import java.net.URI;

/** The DID document a PLC directory serves for an account: #atproto Multikey and #atproto_pds endpoint. */
public final class DidDocuments {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DidDocuments() {}

    public static ObjectNode document(String did, String handle, Keypair key, URI pds) {
        ObjectNode doc = JSON.createObjectNode();
        doc.putArray("@context")
                .add("https://www.w3.org/ns/did/v1")
                .add("https://w3id.org/security/multikey/v1")
                .add("https://w3id.org/security/suites/secp256k1-2019/v1");
        doc.put("id", did);
        doc.putArray("alsoKnownAs").add("at://" + handle);
        ObjectNode method = doc.putArray("verificationMethod").addObject();
        method.put("id", did + "#atproto");
        method.put("type", "Multikey");
        method.put("controller", did);
        method.put("publicKeyMultibase", key.multikey());
        ObjectNode service = doc.putArray("service").addObject();
        service.put("id", "#atproto_pds");
        service.put("type", "AtprotoPersonalDataServer");
        service.put("serviceEndpoint", pds.toString());
        return doc;
    }

    public static byte[] bytes(String did, String handle, Keypair key, URI pds) {
        try {
            return JSON.writeValueAsBytes(document(did, handle, key, pds));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
