package kiln.agx.api.silicon;

/**
 * One compute grid for the compute unit: what the firmware hands the compute data master after
 * reading a {@code RunCompute} command.
 *
 * @param vmSlot          the UAT context the work runs in (1-63 for user VMs, 0 for the kernel)
 * @param programAddress  GPU VA of the first KSA instruction word
 * @param uniformsAddress GPU VA of the uniform buffer (64-bit words), or 0 if {@code uniformCount} is 0
 * @param uniformCount    uniforms to load (at most 64)
 * @param gridX           workgroups along x
 * @param gridY           workgroups along y
 * @param gridZ           workgroups along z
 * @param groupX          threads per workgroup along x
 * @param groupY          threads per workgroup along y
 * @param groupZ          threads per workgroup along z
 */
public record ComputeDispatch(int vmSlot, long programAddress, long uniformsAddress, int uniformCount,
        int gridX, int gridY, int gridZ, int groupX, int groupY, int groupZ) {
    /** Total workgroups. */
    public long workgroups() {
        return (long) gridX * gridY * gridZ;
    }

    /** Threads per workgroup. */
    public int workgroupThreads() {
        return groupX * groupY * groupZ;
    }
}
