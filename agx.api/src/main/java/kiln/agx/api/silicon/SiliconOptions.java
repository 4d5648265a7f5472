package kiln.agx.api.silicon;

import java.util.List;

/**
 * How to build one simulated part.
 *
 * @param hostWorkers host threads the execution units may use (at least 1)
 * @param coreMasks   the enabled shader cores of each cluster, bit i = core i (what the MMIO
 *                    core-mask registers report); empty means every core of every cluster. Binned
 *                    parts (the 7-core M1) disable some.
 */
public record SiliconOptions(int hostWorkers, List<Integer> coreMasks) {
    public SiliconOptions {
        coreMasks = List.copyOf(coreMasks);
        if (hostWorkers < 1) {
            throw new IllegalArgumentException("hostWorkers " + hostWorkers);
        }
    }

    /** All cores enabled, one worker per host processor. */
    public static SiliconOptions defaults() {
        return new SiliconOptions(Runtime.getRuntime().availableProcessors(), List.of());
    }

    /** The same with {@code workers} host threads. */
    public SiliconOptions withHostWorkers(int workers) {
        return new SiliconOptions(workers, coreMasks);
    }

    /** The same with these per-cluster core masks. */
    public SiliconOptions withCoreMasks(List<Integer> masks) {
        return new SiliconOptions(hostWorkers, masks);
    }
}
