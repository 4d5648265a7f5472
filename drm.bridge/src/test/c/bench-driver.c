/*
 * The native half of NativeBridgeBenchmark: reads "OP COUNT" lines on stdin, runs OP COUNT times
 * and answers the elapsed nanoseconds. OPs: pingpong (a bare SOCK_SEQPACKET socket-pair round trip
 * between two threads: the transport's own floor), noop (Kiln's no-op ioctl, DRM_IOWR(0x40, 32),
 * through the library), devnull (the same ioctl(2) on /dev/null, as a raw system call), syncobj_wait (SYNCOBJ_WAIT on a
 * signalled syncobj), gem (a GEM object's whole life through KilnFixture's GEM ioctls). Run under
 * bin/kiln-exec; usage: bench-driver NODE.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kiln-native-test.h"

#define NOOP _IOWR('d', 0x40, uint8_t[32])
struct gem_create { uint64_t size; uint32_t handle, pad; };
struct gem_mmap_offset { uint32_t handle, pad; uint64_t offset; };
struct gem_close { uint32_t handle, pad; };
#define GEM_CREATE _IOWR('d', 0x41, struct gem_create)
#define GEM_MMAP_OFFSET _IOWR('d', 0x42, struct gem_mmap_offset)
#define GEM_CLOSE _IOW('d', 0x09, struct gem_close)

/* One GEM object's life: create, find its offset, map, write, unmap, close. */
static int gem_cycle(int fd) {
    struct gem_create create = {.size = 16384};
    if (ioctl(fd, GEM_CREATE, &create) != 0)
        return 1;
    struct gem_mmap_offset where = {.handle = create.handle};
    if (ioctl(fd, GEM_MMAP_OFFSET, &where) != 0)
        return 1;
    uint8_t *bytes = mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_SHARED, fd, where.offset);
    if (bytes == MAP_FAILED)
        return 1;
    bytes[0] = 1;
    struct gem_close close_args = {.handle = create.handle};
    return munmap(bytes, 16384) != 0 || ioctl(fd, GEM_CLOSE, &close_args) != 0;
}

static int pair[2];

static void *echo(void *unused) {
    (void)unused;
    char b[64];
    for (;;) {
        ssize_t n = recv(pair[1], b, sizeof b, 0);
        if (n <= 0 || send(pair[1], b, n, 0) != n)
            return NULL;
    }
}

static int64_t now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int main(int argc, char **argv) {
    const char *node = argc > 1 ? argv[1] : "/dev/dri/renderD128";
    int fd = open(node, O_RDWR | O_CLOEXEC);
    int null_fd = open("/dev/null", O_RDWR);
    uint32_t syncobj;
    if (fd < 0 || drmSyncobjCreate(fd, DRM_SYNCOBJ_CREATE_SIGNALED, &syncobj) != 0
        || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair) < 0) {
        printf("error %s\n", strerror(errno));
        return 2;
    }
    pthread_t thread;
    pthread_create(&thread, NULL, echo, NULL);
    printf("ready\n");
    fflush(stdout);
    char op[32];
    long count;
    uint8_t arg[32] = {0};
    while (scanf("%31s %ld", op, &count) == 2) {
        int64_t start = now();
        int bad = 0;
        for (long i = 0; i < count; i++) {
            if (strcmp(op, "pingpong") == 0) {
                char b[32] = {0};
                bad |= send(pair[0], b, sizeof b, 0) != sizeof b || recv(pair[0], b, sizeof b, 0) != sizeof b;
            } else if (strcmp(op, "noop") == 0) {
                bad |= ioctl(fd, NOOP, arg) != 0;
            } else if (strcmp(op, "devnull") == 0) {
                bad |= syscall(SYS_ioctl, null_fd, NOOP, arg) != -1; /* the real ioctl(2), not the library's */
            } else if (strcmp(op, "gem") == 0) {
                bad |= gem_cycle(fd);
            } else if (strcmp(op, "syncobj_wait") == 0) {
                bad |= drmSyncobjWait(fd, &syncobj, 1, 0, 0, NULL) != 0;
            } else {
                bad = 1;
            }
        }
        int64_t elapsed = now() - start;
        if (bad)
            printf("error %s\n", strerror(errno));
        else
            printf("%lld\n", (long long)elapsed);
        fflush(stdout);
    }
    return 0;
}
