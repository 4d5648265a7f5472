package kiln.drm.impl.mm;

/**
 * Comparisons of drm_mm's {@code u64} addresses, sizes and alignments held in {@code long}s: a
 * negative {@code long} is a value from 2^63 up, above every positive one.
 */
final class U64 {
    private U64() {
    }

    static boolean lt(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }

    static boolean le(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0;
    }

    static long min(long a, long b) {
        return lt(a, b) ? a : b;
    }

    static long max(long a, long b) {
        return lt(a, b) ? b : a;
    }

    static String hex(long a) {
        return "0x" + Long.toHexString(a);
    }
}
