package kiln.drm.api.client;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.memory.BackingFile;

/**
 * A GEM object mapped by a process outside the runtime ({@link Client#mmapShared}): the range of
 * the shared file holding its bytes. The object stays alive while the mapping is held, as a
 * kernel VMA holds its object; {@link #close()} lets go once (munmap, or the process's exit).
 */
@ProviderType
public interface SharedMapping extends AutoCloseable {
    /** Where the bytes are: map {@link #length()} bytes of this file at its offset. */
    BackingFile backing();

    long length();

    @Override
    void close();
}
