package kiln.agx.silicon.impl.usc;

/** A grid's dimensions: workgroups per axis and threads per workgroup axis. */
public record DispatchShape(int gridX, int gridY, int gridZ, int groupX, int groupY, int groupZ) {
    /** Threads in one workgroup. */
    public int workgroupThreads() {
        return groupX * groupY * groupZ;
    }
}
