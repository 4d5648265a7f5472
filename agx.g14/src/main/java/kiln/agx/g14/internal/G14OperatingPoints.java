package kiln.agx.g14.internal;

import java.util.ArrayList;
import java.util.List;

import kiln.agx.api.hw.PerformanceState;

/**
 * M2 (t8112) operating points: the published GPU clocks, 444-1398 MHz. Voltages and power are
 * fused per part on real hardware; the values here are Kiln's plausible stand-ins (voltage rising
 * with frequency, power roughly proportional to voltage times frequency).
 */
final class G14OperatingPoints {
    private G14OperatingPoints() {
    }

    static List<PerformanceState> t8112() {
        long[] hz = {0, 444_000_000L, 612_000_000L, 808_000_000L, 968_000_000L, 1_110_000_000L, 1_236_000_000L,
            1_338_000_000L, 1_398_000_000L};
        int[] millivolts = {400, 603, 655, 712, 778, 830, 880, 930, 960};
        List<PerformanceState> states = new ArrayList<>();
        for (int i = 0; i < hz.length; i++) {
            int milliwatts = (int) (millivolts[i] * (hz[i] / 1_000_000L) / 60);
            states.add(PerformanceState.uniform(hz[i], millivolts[i], 1, milliwatts));
        }
        return List.copyOf(states);
    }
}
