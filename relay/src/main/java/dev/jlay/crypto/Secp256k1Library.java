package dev.jlay.crypto;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Bitcoin Core's libsecp256k1 (Debian's {@code libsecp256k1-1}) through the Foreign Function &
 * Memory API: parse a public key once, then verify signatures against its 64-byte parsed form.
 * One verify context for the process (the library documents it as safe to share for verifying);
 * each calling thread copies its inputs into its own native scratch segment, so a verification
 * allocates nothing on the Java heap.
 */
public final class Secp256k1Library {
    /** The Debian package's soname (0.2.0 on Debian 12). */
    public static final String SONAME = "libsecp256k1.so.1";
    /** SECP256K1_CONTEXT_VERIFY: accepted by every version (0.2 treats it as NONE). */
    private static final int CONTEXT_VERIFY = (1 << 0) | (1 << 8);
    /** secp256k1_pubkey and secp256k1_ecdsa_signature are opaque 64-byte structs, safe to copy. */
    public static final int PARSED_KEY_BYTES = 64;

    // scratch layout of one thread: parsed key | compact sig in | parsed sig | digest | encoded key in
    private static final long KEY = 0, SIG_IN = 64, SIG = 128, DIGEST = 192, KEY_IN = 224, SCRATCH = 320;

    private final MemorySegment context;
    private final MethodHandle pubkeyParse;
    private final MethodHandle signatureParseCompact;
    private final MethodHandle signatureNormalize;
    private final MethodHandle verify;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** One thread's native inputs and outputs, sliced once so a call makes no segment objects. */
    private static final class Scratch {
        final MemorySegment all = Arena.ofAuto().allocate(SCRATCH, 16); // freed with the thread's scratch
        final MemorySegment key = all.asSlice(KEY, 64);
        final MemorySegment sigIn = all.asSlice(SIG_IN, 64);
        final MemorySegment sig = all.asSlice(SIG, 64);
        final MemorySegment digest = all.asSlice(DIGEST, 32);
        final MemorySegment keyIn = all.asSlice(KEY_IN, SCRATCH - KEY_IN);
    }

    /** What loading found: the library, or why it is not there. */
    public sealed interface Loading {
        record Loaded(Secp256k1Library library) implements Loading {}

        record Missing(String reason) implements Loading {}
    }

    private Secp256k1Library(Linker linker, SymbolLookup lib) throws Throwable {
        MethodHandle create = linker.downcallHandle(find(lib, "secp256k1_context_create"),
                FunctionDescriptor.of(ADDRESS, JAVA_INT));
        pubkeyParse = linker.downcallHandle(find(lib, "secp256k1_ec_pubkey_parse"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
        signatureParseCompact = linker.downcallHandle(find(lib, "secp256k1_ecdsa_signature_parse_compact"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        signatureNormalize = linker.downcallHandle(find(lib, "secp256k1_ecdsa_signature_normalize"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        verify = linker.downcallHandle(find(lib, "secp256k1_ecdsa_verify"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        context = (MemorySegment) create.invokeExact(CONTEXT_VERIFY);
        if (context.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("secp256k1_context_create returned NULL");
        }
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("symbol " + name + " missing"));
    }

    /** The system's library by its soname, or why it cannot be used. */
    public static Loading load() {
        return load(SONAME);
    }

    /** The library by name or path; a missing one (or one without the symbols) is {@link Loading.Missing}. */
    public static Loading load(String library) {
        try {
            // the library stays loaded for the life of the process, as the context does
            var lookup = SymbolLookup.libraryLookup(library, Arena.global());
            return new Loading.Loaded(new Secp256k1Library(Linker.nativeLinker(), lookup));
        } catch (Throwable e) {
            return new Loading.Missing(library + ": " + e.getMessage());
        }
    }

    /**
     * Parses a SEC1 key (33 bytes compressed or 65 uncompressed) into the library's 64-byte form, or
     * null when the library refuses it.
     */
    public byte[] parsePublicKey(byte[] encoded) {
        if (encoded.length > SCRATCH - KEY_IN) {
            return null;
        }
        Scratch s = scratch.get();
        MemorySegment.copy(encoded, 0, s.keyIn, JAVA_BYTE, 0, encoded.length);
        int ok;
        try {
            ok = (int) pubkeyParse.invokeExact(context, s.key, s.keyIn, (long) encoded.length);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (ok != 1) {
            return null;
        }
        byte[] parsed = new byte[PARSED_KEY_BYTES];
        MemorySegment.copy(s.key, JAVA_BYTE, 0, parsed, 0, PARSED_KEY_BYTES);
        return parsed;
    }

    /**
     * Verifies a 64-byte compact {@code r||s} over a 32-byte digest against a key from
     * {@link #parsePublicKey}. False for r or s out of range, and for a high-S signature (which
     * {@code secp256k1_ecdsa_signature_normalize} reports) before the library's own verify, which
     * refuses high-S too.
     */
    public boolean verify(byte[] parsedKey, byte[] sha256, byte[] signature) {
        Scratch s = scratch.get();
        MemorySegment.copy(parsedKey, 0, s.key, JAVA_BYTE, 0, PARSED_KEY_BYTES);
        MemorySegment.copy(signature, 0, s.sigIn, JAVA_BYTE, 0, 64);
        MemorySegment.copy(sha256, 0, s.digest, JAVA_BYTE, 0, 32);
        try {
            if ((int) signatureParseCompact.invokeExact(context, s.sig, s.sigIn) != 1) {
                return false; // r or s >= n
            }
            if ((int) signatureNormalize.invokeExact(context, MemorySegment.NULL, s.sig) != 0) {
                return false; // high-S: atproto accepts only the low form
            }
            return (int) verify.invokeExact(context, s.sig, s.digest, s.key) == 1;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
