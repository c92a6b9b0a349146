package dev.jlay.sim;

import java.util.Arrays;
import java.util.Random;

/**
 * How accounts sit on hosts and how active each is, at network shape, in a few arrays: a few
 * large hosts (one in a hundred, at least one) hold most accounts, split between them by a
 * 1/k law; every other host holds 1 to 10 accounts. Account activity is Zipf-like: the account of
 * rank r gets weight r^-s, ranks shuffled over all accounts so a host's share of the traffic
 * follows its share of the accounts. Memory: 4 bytes per host, 12 per account.
 */
public final class NetworkShape {
    private final int hosts;
    private final int accounts;
    private final int largeHosts;
    /** Host i holds accounts firstAccount[i] .. firstAccount[i+1]-1. */
    private final int[] firstAccount;
    /** Cumulative activity weight by rank (last = 1). */
    private final double[] cumulative;
    /** The account of each rank. */
    private final int[] byRank;

    public NetworkShape(int hosts, int accounts, double zipf, long seed) {
        if (hosts < 1) throw new IllegalArgumentException("hosts must be at least 1");
        if (accounts < hosts) throw new IllegalArgumentException("need at least one account per host");
        if (!(zipf >= 0)) throw new IllegalArgumentException("zipf exponent must not be negative");
        this.hosts = hosts;
        this.accounts = accounts;
        var random = new Random(seed);
        int large = Math.max(1, hosts / 100);
        int small = hosts - large;
        int[] counts = new int[hosts];
        long smallTotal = 0;
        for (int i = large; i < hosts; i++) {
            counts[i] = 1 + random.nextInt(10);
            smallTotal += counts[i];
        }
        // small hosts keep at most half of the accounts: scale them down (each keeps one) when too few
        long smallRoom = Math.max(small, (accounts - large) / 2);
        if (smallTotal > smallRoom) {
            long drawn = smallTotal;
            smallTotal = 0;
            for (int i = large; i < hosts; i++) {
                counts[i] = (int) Math.max(1, counts[i] * smallRoom / drawn);
                smallTotal += counts[i];
            }
            // rounding may still overshoot: trim from the largest small hosts
            for (int i = large; i < hosts && smallTotal > smallRoom; i++) {
                if (counts[i] > 1) {
                    counts[i]--;
                    smallTotal--;
                }
            }
        }
        long rest = accounts - smallTotal;
        double harmonic = 0;
        for (int k = 0; k < large; k++) harmonic += 1.0 / (k + 1);
        long given = 0;
        for (int k = 0; k < large; k++) {
            counts[k] = (int) Math.max(1, Math.floor(rest * (1.0 / (k + 1)) / harmonic));
            given += counts[k];
        }
        counts[0] += (int) (rest - given);
        firstAccount = new int[hosts + 1];
        for (int i = 0; i < hosts; i++) firstAccount[i + 1] = firstAccount[i] + counts[i];
        this.largeHosts = large;
        if (firstAccount[hosts] != accounts) throw new IllegalStateException("shape lost accounts");

        cumulative = new double[accounts];
        double sum = 0;
        for (int r = 0; r < accounts; r++) {
            sum += Math.pow(r + 1, -zipf);
            cumulative[r] = sum;
        }
        for (int r = 0; r < accounts; r++) cumulative[r] /= sum;
        byRank = new int[accounts];
        for (int i = 0; i < accounts; i++) byRank[i] = i;
        for (int i = accounts - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = byRank[i];
            byRank[i] = byRank[j];
            byRank[j] = t;
        }
    }

    public int hosts() {
        return hosts;
    }

    public int accounts() {
        return accounts;
    }

    /** Hosts 0 .. largeHosts-1 are the large ones. */
    public int largeHosts() {
        return largeHosts;
    }

    public int accountsOf(int host) {
        return firstAccount[host + 1] - firstAccount[host];
    }

    public int firstAccountOf(int host) {
        return firstAccount[host];
    }

    public int hostOf(int account) {
        int i = Arrays.binarySearch(firstAccount, account);
        // an exact hit is the first account of host i (empty hosts do not exist)
        return i >= 0 ? i : -i - 2;
    }

    /** An account drawn by activity (one arrival of the whole network's process). */
    public int sampleAccount(Random random) {
        int r = Arrays.binarySearch(cumulative, random.nextDouble());
        return byRank[r >= 0 ? r : Math.min(accounts - 1, -r - 1)];
    }

    /** Accounts of hosts 0..h-1 and of the rest: how much the large hosts hold. */
    public double largeShare() {
        return (double) firstAccount[largeHosts] / accounts;
    }

    /** Bytes this shape holds. */
    public long bytes() {
        return 4L * firstAccount.length + 8L * cumulative.length + 4L * byRank.length;
    }
}
