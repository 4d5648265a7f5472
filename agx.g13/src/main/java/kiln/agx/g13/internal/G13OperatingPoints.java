package kiln.agx.g13.internal;

import java.util.ArrayList;
import java.util.List;

import kiln.agx.api.hw.PerformanceState;

/**
 * G13 operating points. The frequencies are the chips' published GPU clocks (M1: 396-1278 MHz;
 * M1 Pro/Max/Ultra: 388.8-1296 MHz). Real voltages and power come from per-part fuses through
 * the ADT, so the values here are Kiln's plausible stand-ins: voltages rise with frequency, and
 * power follows m1n1's t8103 rule {@code volt x coefficient x 100} microwatts with the coefficients
 * {0, 63, 80, 108, 150, 198, 210}, scaled by the number of clusters.
 */
final class G13OperatingPoints {
    private static final int[] POWER_COEFFICIENTS = {0, 63, 80, 108, 150, 198, 210};

    private G13OperatingPoints() {
    }

    static List<PerformanceState> t8103() {
        return build(new long[] {0, 396_000_000L, 528_000_000L, 720_000_000L, 924_000_000L, 1_128_000_000L,
            1_278_000_000L}, new int[] {400, 603, 640, 690, 784, 862, 931}, 1);
    }

    static List<PerformanceState> t600x(int clusters) {
        return build(new long[] {0, 388_800_000L, 486_000_000L, 648_000_000L, 777_600_000L, 972_000_000L,
            1_296_000_000L}, new int[] {400, 634, 650, 668, 715, 778, 903}, clusters);
    }

    private static List<PerformanceState> build(long[] hz, int[] millivolts, int clusters) {
        List<PerformanceState> states = new ArrayList<>();
        for (int i = 0; i < hz.length; i++) {
            int milliwatts = millivolts[i] * POWER_COEFFICIENTS[i] * 100 / 1000 * clusters;
            states.add(PerformanceState.uniform(hz[i], millivolts[i], clusters, milliwatts));
        }
        return List.copyOf(states);
    }
}
