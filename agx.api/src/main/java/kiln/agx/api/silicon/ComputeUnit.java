package kiln.agx.api.silicon;

import java.util.concurrent.CompletableFuture;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The compute data master: runs grids on the USC cores. Each enabled core takes a contiguous
 * run of workgroups (in linear order) and runs it in order, on the silicon's host workers. A fault stops the dispatch at the next workgroup boundary of every core; which
 * other workgroups had run by then is unspecified, as on hardware.
 */
@ProviderType
public interface ComputeUnit {
    /**
     * Starts a grid. The future completes with the result and never exceptionally, unless the
     * caller cancels it: then the work stops at the next loop iteration or workgroup boundary
     * (the future reports the cancellation as futures do). Power-off completes running
     * dispatches as {@link DispatchResult.Status#CANCELLED}.
     */
    CompletableFuture<DispatchResult> dispatch(ComputeDispatch dispatch);
}
