package kiln.drm.api.gem;

import java.lang.foreign.MemorySegment;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A CPU mapping of a {@link ShmemObject} ({@code VMap}). Holds a reference on the object until
 * {@link #close()}; {@link #memory()} after close is an {@link IllegalStateException}.
 */
@ProviderType
public interface ShmemMapping extends AutoCloseable {
    /** The object's memory. */
    MemorySegment memory();

    ShmemObject owner();

    /** Drops the mapping's reference. Idempotent. */
    @Override
    void close();
}
