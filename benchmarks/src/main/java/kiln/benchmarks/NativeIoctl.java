package kiln.benchmarks;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The real {@code ioctl(2)} system call, reached through {@code java.lang.foreign}: the cost a
 * C client pays to cross into a real DRM driver, and so the baseline Kiln's in-JVM ioctl path is
 * judged against.
 *
 * <p>{@code ioctl} is variadic ({@code int ioctl(int fd, unsigned long request, ...)}); the third
 * argument is passed as the first variadic one, as a C caller's would be.
 */
final class NativeIoctl implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(
            LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("ioctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final int O_RDWR = 2;

    private final int fd;

    /** Opens {@code path} read-write. */
    NativeIoctl(String path) {
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) OPEN.invokeExact(arena.allocateFrom(path), O_RDWR);
        } catch (Throwable t) {
            throw new IllegalStateException("open(" + path + ")", t);
        }
        if (fd < 0) {
            throw new IllegalStateException("open(" + path + ") failed");
        }
    }

    /** One ioctl call; returns what the kernel returned (-1 with errno set on failure). */
    int ioctl(long request, MemorySegment argument) {
        try {
            return (int) IOCTL.invokeExact(fd, request, argument);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
