package kiln.agx.api.hw;

import java.util.List;

/**
 * One GPU operating point (a DT {@code operating-points-v2} entry as m1n1 builds it from the ADT
 * {@code perf-states}): frequency, one voltage per cluster, and power. State 0 is the off state
 * (0 Hz, 0 mW); the firmware numbers states by their index.
 *
 * @param frequencyHz            the GPU clock in this state, Hz
 * @param voltageMillivolts      the supply voltage of each cluster, millivolts (one entry per cluster)
 * @param powerMilliwatts        the power budget of the state, milliwatts
 */
public record PerformanceState(long frequencyHz, List<Integer> voltageMillivolts, int powerMilliwatts) {
    public PerformanceState {
        voltageMillivolts = List.copyOf(voltageMillivolts);
        if (frequencyHz < 0 || powerMilliwatts < 0 || voltageMillivolts.isEmpty()) {
            throw new IllegalArgumentException("bad operating point " + frequencyHz + " Hz " + voltageMillivolts);
        }
    }

    /** The state with the same voltage on all {@code clusters}. */
    public static PerformanceState uniform(long frequencyHz, int millivolts, int clusters, int powerMilliwatts) {
        return new PerformanceState(frequencyHz, java.util.Collections.nCopies(clusters, millivolts), powerMilliwatts);
    }
}
