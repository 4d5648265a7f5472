package kiln.drm.api.memory;

import java.nio.file.Path;

/**
 * Where an allocation's bytes live when physical memory is backed by a shared file: another
 * process mapping {@code length} bytes of {@code file} at {@code offset} ({@code MAP_SHARED})
 * sees and changes the very bytes the simulated GPU uses.
 *
 * @param file   the backing file (private to the runtime's user)
 * @param offset the allocation's first byte in it, page-aligned
 */
public record BackingFile(Path file, long offset) {
}
