package kiln.drm.impl.gem;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.memory.PhysicalMemory;
import kiln.drm.api.mm.InsertMode;
import kiln.drm.api.mm.RangeNode;
import kiln.drm.impl.mm.DrmMm;

/**
 * Physical memory's bytes in one sparse file on a RAM file system (e.g. {@code /dev/shm}), each
 * allocation a contiguous range of it mapped shared: what lets a native process map a GEM object
 * and see the very bytes the GPU uses. The file is the runtime user's alone (0600) and goes with
 * the pool. Ranges are handed out by a drm_mm over four times the pool's limit, so that
 * fragmentation of the file never refuses what the frames allow; host memory follows the bytes
 * written, as for anonymous memory.
 */
final class SharedBacking implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final DrmMm<Object> ranges;

    private SharedBacking(Path file, FileChannel channel, long span) throws DrmException {
        this.file = file;
        this.channel = channel;
        this.ranges = new DrmMm<>("physical-backing", 0, span, null);
    }

    /** A backing in {@code dir}, or null when it cannot have one there (then memory is the runtime's alone). */
    static SharedBacking in(Path dir, long limitBytes) {
        if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
            return null;
        }
        try {
            Path file = Files.createTempFile(dir, "kiln-pages-" + ProcessHandle.current().pid() + "-", "",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new SharedBacking(file, channel, Math.max(limitBytes, PhysicalMemory.PAGE_SIZE) * 4);
        } catch (IOException | DrmException | UnsupportedOperationException e) {
            System.getLogger(SharedBacking.class.getName()).log(System.Logger.Level.WARNING,
                    "physical memory cannot be shared through " + dir + " (native programs cannot map GEM objects): " + e);
            return null;
        }
    }

    Path file() {
        return file;
    }

    /** A zeroed range of {@code size} bytes, mapped in {@code arena} (closing it unmaps). */
    Range allocate(long size, Arena arena) throws DrmException {
        RangeNode<Object> node;
        synchronized (this) {
            node = ranges.insert(null, size, PhysicalMemory.PAGE_SIZE, 0, InsertMode.LOW);
        }
        try {
            MemorySegment memory = channel.map(FileChannel.MapMode.READ_WRITE, node.start(), size, arena);
            memory.fill((byte) 0); // a range may have served another allocation before
            return new Range(node, memory);
        } catch (IOException | RuntimeException e) {
            free(node);
            throw DrmException.quiet(Errno.ENOMEM, "no shared host memory for " + size + " bytes: " + e);
        }
    }

    synchronized void free(RangeNode<Object> node) {
        try {
            ranges.remove(node);
        } catch (DrmException e) {
            throw new IllegalStateException("backing range freed twice", e);
        }
    }

    /** One allocation's range of the file and its mapping. */
    record Range(RangeNode<Object> node, MemorySegment memory) {
        long offset() {
            return node.start();
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            System.getLogger(SharedBacking.class.getName()).log(System.Logger.Level.WARNING, "could not remove " + file, e);
        }
    }
}
