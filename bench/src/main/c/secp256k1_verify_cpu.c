/*
 * The ceiling for SignatureCpuProbe's "verify:libsecp256k1": the same library called from C,
 * secp256k1_ecdsa_verify on one parsed key and 64 signatures over 200-byte-message digests,
 * reported as verifications per second of this thread's CPU time (median of rounds), like the
 * Java probe. No headers needed (Debian's runtime package has none): the five calls are declared
 * here as the library's secp256k1.h declares them.
 *
 *   gcc -O2 -o /tmp/secp256k1_verify_cpu bench/src/main/c/secp256k1_verify_cpu.c -l:libsecp256k1.so.1
 *   /tmp/secp256k1_verify_cpu [cpuSecondsPerRound] [rounds]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct secp256k1_context_struct secp256k1_context;
typedef struct { unsigned char data[64]; } secp256k1_pubkey;
typedef struct { unsigned char data[64]; } secp256k1_ecdsa_signature;
typedef int (*nonce_fn)(unsigned char *, const unsigned char *, const unsigned char *, const unsigned char *, void *, unsigned int);

secp256k1_context *secp256k1_context_create(unsigned int flags);
int secp256k1_ec_pubkey_create(const secp256k1_context *, secp256k1_pubkey *, const unsigned char *seckey);
int secp256k1_ecdsa_sign(const secp256k1_context *, secp256k1_ecdsa_signature *, const unsigned char *msghash32,
                         const unsigned char *seckey, nonce_fn noncefp, const void *ndata);
int secp256k1_ecdsa_verify(const secp256k1_context *, const secp256k1_ecdsa_signature *, const unsigned char *msghash32,
                           const secp256k1_pubkey *);

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    secp256k1_context *ctx = secp256k1_context_create((1 << 0) | (1 << 8) | (1 << 9)); /* VERIFY | SIGN */
    unsigned char seckey[32];
    for (int i = 0; i < 32; i++) seckey[i] = (unsigned char) (i + 1);
    secp256k1_pubkey pub;
    if (!secp256k1_ec_pubkey_create(ctx, &pub, seckey)) return 1;
    unsigned char digests[64][32];
    secp256k1_ecdsa_signature sigs[64];
    srand(1);
    for (int k = 0; k < 64; k++) {
        for (int i = 0; i < 32; i++) digests[k][i] = (unsigned char) rand();
        if (!secp256k1_ecdsa_sign(ctx, &sigs[k], digests[k], seckey, NULL, NULL)) return 1;
    }
    double *rates = calloc(rounds + 1, sizeof(double));
    for (int r = -1; r < rounds; r++) { /* round -1 warms up */
        long n = 0;
        double start = cpu_now(), now = start;
        while (now - start < seconds) {
            for (int k = 0; k < 64; k++) {
                if (!secp256k1_ecdsa_verify(ctx, &sigs[k], digests[k], &pub)) return 2;
            }
            n += 64;
            now = cpu_now();
        }
        if (r >= 0) rates[r] = n / (now - start);
    }
    qsort(rates, rounds, sizeof(double), cmp);
    printf("C     verify:libsecp256k1          median %10.0f ops/cpu-s  (min %.0f, max %.0f, %d rounds of %.1f cpu-s)\n",
           rates[rounds / 2], rates[0], rates[rounds - 1], rounds, seconds);
    return 0;
}
