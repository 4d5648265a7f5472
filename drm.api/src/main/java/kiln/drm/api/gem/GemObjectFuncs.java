package kiln.drm.api.gem;

import org.osgi.annotation.versioning.ConsumerType;

import kiln.drm.api.DrmException;
import kiln.drm.api.file.DrmFile;

/** The driver's per-object hooks ({@code drm_gem_object_funcs} open, close, free). */
@ConsumerType
public interface GemObjectFuncs {
    /** A handle to {@code object} is being created in {@code file}; throwing refuses it. */
    default void open(GemObject object, DrmFile file) throws DrmException {
    }

    /** A handle to {@code object} in {@code file} closed. */
    default void close(GemObject object, DrmFile file) {
    }

    /** The last reference went; the backing memory is returned right after. */
    default void free(GemObject object) {
    }
}
