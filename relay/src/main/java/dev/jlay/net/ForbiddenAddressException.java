package dev.jlay.net;


/** A target the {@link AddressGuard} refuses to contact. */
public final class ForbiddenAddressException extends Exception {
    private final String host;

    public ForbiddenAddressException(String host, String reason) {
        super("refusing to contact " + host + ": " + reason);
        this.host = host;
    }

    public String host() {
        return host;
    }
}
