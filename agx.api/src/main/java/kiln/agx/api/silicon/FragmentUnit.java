package kiln.agx.api.silicon;

import java.util.concurrent.CompletableFuture;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The fragment pipe: rasterises binned tiles. Each enabled core takes a contiguous run of
 * tiles; tiles are independent, so the image does not depend on the core count or on timing.
 */
@ProviderType
public interface FragmentUnit {
    /** Starts a job; the future completes with the result, never exceptionally. */
    CompletableFuture<DispatchResult> render(FragmentJob job);
}
