package kiln.drm.bridge;

/**
 * The bridge protocol, one SOCK_SEQPACKET message per request or answer, little-endian; the
 * preload library ({@code src/main/c/kiln-preload.c}) holds the same numbers.
 *
 * <p>A connection's first message says what it is. {@link #HELLO} makes it one thread's
 * <em>control</em> connection: ioctls go over it, one at a time, and while one runs the bridge may
 * ask the caller to read or write its own memory ({@link #MEM_READ}, {@link #MEM_WRITE}) when it
 * cannot do so itself. {@link #OPEN} makes it an <em>endpoint</em>: the very descriptor the program
 * gets for a device node; its last close anywhere (dup, fork, exit) ends the connection, and that
 * releases the file. An endpoint is named by the path its socket was bound to, which any process
 * holding it reads back with {@code getsockname}, so the name travels with the descriptor.
 *
 * <pre>
 * HELLO     u32 op, i32 tid                                        -> REPLY
 * OPEN      u32 op, u32 flags, path bytes                          -> REPLY
 * ADOPT     u32 op, u32 0, u64 id                                  -> REPLY
 * MMAP      u32 op, u32 name_len, u64 offset, u64 length, name     -> REPLY with out = u64 id, u64 file_offset, path
 * UNMAP     u32 op, u32 0, u64 id                                  -> REPLY
 * IOCTL     u32 op, u32 cmd, u32 size, u32 in_len, u64 arg,
 *           u32 name_len, name bytes, in bytes                     -> [MEM_* | FD_QUERY]... REPLY
 * MEM_READ  u32 op, u32 len, u64 addr                              -> MEM_DATA u32 op, i32 errno, bytes
 * MEM_WRITE u32 op, u32 len, u64 addr, bytes                       -> MEM_ACK  u32 op, i32 errno
 * FD_QUERY  u32 op, i32 fd                                         -> FD_INFO  u32 op, i32 what, name bytes
 *           (what: {@link #FD_KILN} with the endpoint's name, {@link #FD_FOREIGN}, {@link #FD_CLOSED},
 *           {@link #FD_EVENTFD} with the descriptor itself attached)
 * REPLY     u32 op, i32 result or -errno, u32 out_len, u32 adopt_count,
 *           adopt_count x (u32 offset, u32 cloexec, u64 id, char kind[16]), out bytes
 * </pre>
 *
 * <p>An ioctl that made files ({@link FdFields}) answers with one adoption each: the caller
 * connects a new endpoint bound to a name starting with {@code kind}, sends {@link #ADOPT} with
 * the id, and writes the new descriptor's number into the struct at {@code offset}. An id not
 * adopted by the caller's next request (or the end of its connection) is let go.
 */
final class Wire {
    static final int HELLO = 1;
    static final int OPEN = 2;
    static final int IOCTL = 3;
    static final int ADOPT = 4;
    /** On a control connection: map a GEM object (the answer names the shared file range to map). */
    static final int MMAP = 5;
    /** On a control connection: the program unmapped what MMAP gave it. */
    static final int UNMAP = 6;
    static final int REPLY = 0x100;
    static final int MEM_READ = 0x201;
    static final int MEM_DATA = 0x202;
    static final int MEM_WRITE = 0x203;
    static final int MEM_ACK = 0x204;
    static final int FD_QUERY = 0x205;
    static final int FD_INFO = 0x206;
    static final int FD_KILN = 0;
    static final int FD_FOREIGN = 1;
    static final int FD_CLOSED = 2;
    /** An eventfd of the caller's: it comes with the answer ({@code SCM_RIGHTS}). */
    static final int FD_EVENTFD = 3;
    /** Bytes per adoption in a REPLY. */
    static final int ADOPT_ENTRY = 32;

    /** The largest message either side sends: an ioctl struct is at most 16 KiB, memory moves in chunks. */
    static final int MAX_MESSAGE = 64 * 1024;
    /** Memory moves through the caller in chunks this large (header room left). */
    static final int MEM_CHUNK = MAX_MESSAGE - 64;
    /** An endpoint's name: at most this long, [A-Za-z0-9-] only. */
    static final int MAX_NAME = 64;

    private Wire() {
    }
}
