package kiln.agx.api.silicon;

import java.util.concurrent.CompletableFuture;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The vertex pipe's tiling engine. Triangles are binned in order, each completely or not at
 * all; the lists of every tile therefore hold primitives in submission order, which is what
 * makes rendering exact. A job runs on one host worker.
 */
@ProviderType
public interface TilerUnit {
    /** Starts a job; the future completes with the result, never exceptionally. */
    CompletableFuture<TilerResult> bin(TilerJob job);
}
