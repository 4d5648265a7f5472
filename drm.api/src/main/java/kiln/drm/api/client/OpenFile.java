package kiln.drm.api.client;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One holder of an open file description that sits in no descriptor table: a file in flight
 * between processes ({@code SCM_RIGHTS}), or one a native process holds through its own
 * descriptor. The description stays open while any descriptor or {@code OpenFile} holds it.
 * {@link #close()} lets go once; later calls do nothing. Thread-safe.
 */
@ProviderType
public interface OpenFile extends AutoCloseable {
    /** The description: what {@link Client#install} takes to give it a descriptor again. */
    Object file();

    @Override
    void close();
}
