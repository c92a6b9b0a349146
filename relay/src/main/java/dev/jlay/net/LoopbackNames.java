package dev.jlay.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Simulation only, like {@code curl --resolve}: with the system property
 * {@value #PROPERTY} set to a name suffix (e.g. {@code .sim.test}), every name ending in it
 * resolves to 127.0.0.1, so one simulator listener can stand for thousands of hosts told apart
 * by their {@code Host} header. Without the property (production) it is the JDK's own resolver,
 * unchanged. The mapping happens under the resolver, so {@link AddressGuard} still checks the
 * address it yields (loopback passes only where insecure hosts are allowed).
 */
public final class LoopbackNames extends InetAddressResolverProvider {
    public static final String PROPERTY = "jlay.net.loopback-suffix";

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        String suffix = System.getProperty(PROPERTY, "").strip().toLowerCase(Locale.ROOT);
        if (suffix.isEmpty()) return builtin;
        String dotted = suffix.startsWith(".") ? suffix : "." + suffix;
        InetAddress loopback;
        try {
            loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (host.toLowerCase(Locale.ROOT).endsWith(dotted)
                        && (policy.characteristics() & LookupPolicy.IPV4) != 0) {
                    return Stream.of(InetAddress.getByAddress(host, loopback.getAddress()));
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "jlay-loopback-names";
    }
}
