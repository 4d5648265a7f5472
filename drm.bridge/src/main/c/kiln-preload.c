/*
 * Kiln's preload library: inside a program started by bin/kiln-exec, /dev/dri, the sysfs entries
 * libdrm reads and the descriptors of Kiln's files are the Kiln runtime's.
 *
 * - Paths under /dev/dri, /sys/dev/char/226:*, /sys/class/drm and /sys/devices/platform/kiln
 *   are redirected to the device tree the runtime writes beside its socket (real files and links,
 *   so opendir, readdir, readlink and realpath work on them natively); the node stand-in files are
 *   made to look like character devices (major 226) to stat and friends.
 * - Opening a node connects a new SOCK_SEQPACKET socket to the runtime, bound first to a unique
 *   name that says which node it is; that socket is the descriptor the program gets, so dup, fork,
 *   exec, close and exit behave natively and the runtime sees the last close. Any process holding
 *   it can tell what it is with getsockname.
 * - ioctl on such a descriptor goes over the calling thread's own control connection, with the
 *   ioctl struct; the runtime reads and writes other user memory itself (process_vm_readv/writev)
 *   or, where that is refused, asks this library to copy (safely: a bad pointer is EFAULT).
 *
 * Not intercepted: static binaries, raw syscalls, and paths reached relative to a directory
 * descriptor. The protocol is described in drm.bridge's Wire.java; the numbers below are its.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/ioctl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#define OP_HELLO 1
#define OP_OPEN 2
#define OP_IOCTL 3
#define OP_REPLY 0x100
#define OP_MEM_READ 0x201
#define OP_MEM_DATA 0x202
#define OP_MEM_WRITE 0x203
#define OP_MEM_ACK 0x204
#define OP_ADOPT 4
#define OP_FD_QUERY 0x205
#define OP_FD_INFO 0x206
#define FD_KILN 0
#define FD_FOREIGN 1
#define FD_CLOSED 2
#define FD_EVENTFD 3
#define ADOPT_ENTRY 32
#define OP_MMAP 5
#define OP_UNMAP 6
#define MAX_MESSAGE (64 * 1024)
#define DRM_MAJOR 226

#define EXPORT __attribute__((visibility("default")))

static char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static char root[PATH_MAX];
static size_t root_len;
static char names[PATH_MAX];
static size_t names_len;

#define REAL(ret, name, ...)                                                                                   \
    __attribute__((unused)) static ret (*real_##name)(__VA_ARGS__);                                                                  \
    __attribute__((unused)) static void resolve_##name(void) {                                                                       \
        if (!real_##name)                                                                                      \
            real_##name = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name);                                        \
    }

REAL(int, open, const char *, int, ...)
REAL(int, open64, const char *, int, ...)
REAL(int, openat, int, const char *, int, ...)
REAL(int, openat64, int, const char *, int, ...)
REAL(int, __open_2, const char *, int)
REAL(int, __open64_2, const char *, int)
REAL(int, __openat_2, int, const char *, int)
REAL(int, __openat64_2, int, const char *, int)
REAL(FILE *, fopen, const char *, const char *)
REAL(FILE *, fopen64, const char *, const char *)
REAL(int, ioctl, int, unsigned long, ...)
REAL(int, stat, const char *, struct stat *)
REAL(int, stat64, const char *, struct stat64 *)
REAL(int, lstat, const char *, struct stat *)
REAL(int, lstat64, const char *, struct stat64 *)
REAL(int, fstat, int, struct stat *)
REAL(int, fstat64, int, struct stat64 *)
REAL(int, fstatat, int, const char *, struct stat *, int)
REAL(int, fstatat64, int, const char *, struct stat64 *, int)
REAL(int, __xstat, int, const char *, struct stat *)
REAL(int, __xstat64, int, const char *, struct stat64 *)
REAL(int, __lxstat, int, const char *, struct stat *)
REAL(int, __lxstat64, int, const char *, struct stat64 *)
REAL(int, __fxstat, int, int, struct stat *)
REAL(int, __fxstat64, int, int, struct stat64 *)
REAL(int, __fxstatat, int, int, const char *, struct stat *, int)
REAL(int, __fxstatat64, int, int, const char *, struct stat64 *, int)
REAL(int, statx, int, const char *, int, unsigned int, struct statx *)
REAL(int, access, const char *, int)
REAL(int, faccessat, int, const char *, int, int)
REAL(int, euidaccess, const char *, int)
REAL(int, eaccess, const char *, int)
REAL(DIR *, opendir, const char *)
REAL(int, scandir, const char *, struct dirent ***, int (*)(const struct dirent *),
     int (*)(const struct dirent **, const struct dirent **))
REAL(ssize_t, readlink, const char *, char *, size_t)
REAL(ssize_t, readlinkat, int, const char *, char *, size_t)
REAL(char *, realpath, const char *, char *)
REAL(int, close, int)
REAL(void *, mmap, void *, size_t, int, int, int, off_t)
REAL(void *, mmap64, void *, size_t, int, int, int, off64_t)
REAL(int, munmap, void *, size_t)

__attribute__((constructor)) static void kiln_init(void) {
    const char *env = getenv("KILN_SOCKET");
    if (env && *env) {
        snprintf(socket_path, sizeof socket_path, "%s", env);
    } else {
        const char *run = getenv("XDG_RUNTIME_DIR");
        struct stat st;
        resolve_stat();
        if (run && *run && real_stat(run, &st) == 0 && S_ISDIR(st.st_mode))
            snprintf(socket_path, sizeof socket_path, "%s/kiln/kiln.sock", run);
        else
            snprintf(socket_path, sizeof socket_path, "/tmp/kiln-%u/kiln.sock", (unsigned)getuid());
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", socket_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(dir, sizeof dir, ".");
    snprintf(root, sizeof root, "%s/root", dir);
    root_len = strlen(root);
    snprintf(names, sizeof names, "%s/n/", dir);
    names_len = strlen(names);
}

/* ---------------------------------------------------------------- paths */

static int has_prefix(const char *path, const char *prefix) {
    size_t n = strlen(prefix);
    return strncmp(path, prefix, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/* The path in the runtime's device tree, or NULL when the host's own path is meant. */
static const char *map_path(const char *path, char *buffer) {
    if (!path || path[0] != '/' || root_len == 0)
        return NULL;
    if (strcmp(path, "/sys/kernel/debug/sync/sw_sync") == 0) {
        /* where IGT looks first for sw_sync: the same timelines */
        snprintf(buffer, PATH_MAX, "%s/dev/sw_sync", root);
        return buffer;
    }
    if (has_prefix(path, "/dev/dri") || strcmp(path, "/dev/sw_sync") == 0 || has_prefix(path, "/sys/class/drm") ||
        has_prefix(path, "/sys/devices/platform/kiln") || strncmp(path, "/sys/dev/char/226:", 18) == 0) {
        if (root_len + strlen(path) >= PATH_MAX)
            return NULL;
        memcpy(buffer, root, root_len);
        strcpy(buffer + root_len, path);
        return buffer;
    }
    return NULL;
}

static int node_minor(const char *node) {
    const char *digits = strncmp(node, "renderD", 7) == 0 ? node + 7 : strncmp(node, "card", 4) == 0 ? node + 4 : NULL;
    if (!digits || !*digits)
        return -1;
    for (const char *p = digits; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    return atoi(digits);
}

/* Whether a mapped path resolves to a node stand-in; its name goes to node. */
static int mapped_node(const char *mapped, char *node) {
    char resolved[PATH_MAX];
    resolve_realpath();
    if (!real_realpath(mapped, resolved))
        return 0;
    if (strncmp(resolved, root, root_len) == 0 && strcmp(resolved + root_len, "/dev/sw_sync") == 0) {
        strcpy(node, "sw_sync");
        return 1;
    }
    if (strncmp(resolved, root, root_len) != 0 || strncmp(resolved + root_len, "/dev/dri/", 9) != 0)
        return 0;
    const char *name = resolved + root_len + 9;
    if (strchr(name, '/') || node_minor(name) < 0 || strlen(name) >= 32)
        return 0;
    strcpy(node, name);
    return 1;
}

/* The node a descriptor of Kiln's stands for (and its endpoint name), or 0 for any other descriptor. */
static int endpoint_of(int fd, char *node, char *name) {
    struct sockaddr_un address;
    socklen_t length = sizeof address;
    if (fd < 0 || getsockname(fd, (struct sockaddr *)&address, &length) < 0 || address.sun_family != AF_UNIX)
        return 0;
    if (length <= offsetof(struct sockaddr_un, sun_path) || strncmp(address.sun_path, names, names_len) != 0)
        return 0;
    const char *base = address.sun_path + names_len;
    const char *dash = strrchr(base, '-');
    if (!dash || dash - base >= 32 || strlen(base) >= 64)
        return 0;
    char n[32];
    memcpy(n, base, dash - base);
    n[dash - base] = 0;
    if (node)
        strcpy(node, n);
    if (name)
        strcpy(name, base);
    return 1;
}

/* "/proc/self/fd/N", "/proc/PID/fd/N" (this process) or "/dev/fd/N" naming a descriptor of Kiln's. */
static int proc_fd_node(const char *path, char *node) {
    const char *rest = NULL;
    char own[32];
    snprintf(own, sizeof own, "/proc/%d/fd/", (int)getpid());
    if (strncmp(path, "/proc/self/fd/", 14) == 0)
        rest = path + 14;
    else if (strncmp(path, "/dev/fd/", 8) == 0)
        rest = path + 8;
    else if (strncmp(path, own, strlen(own)) == 0)
        rest = path + strlen(own);
    if (!rest || !*rest)
        return 0;
    char *end;
    long fd = strtol(rest, &end, 10);
    if (*end || fd < 0 || fd > INT_MAX)
        return 0;
    char kind[32];
    if (!endpoint_of((int)fd, kind, NULL))
        return 0;
    if (node_minor(kind) < 0) {
        /* a file that is not a node (syncobj, sync_file, dma-buf): the kernel's anonymous files */
        strcpy(node, kind);
        return 2;
    }
    strcpy(node, kind);
    return 1;
}

/* What readlink shows for a descriptor of Kiln's that is not a node. */
static const char *anonymous_link(const char *kind) {
    if (strcmp(kind, "sw_sync") == 0)
        return "/dev/sw_sync";
    if (strcmp(kind, "syncobj") == 0)
        return "anon_inode:syncobj";
    if (strcmp(kind, "sync_file") == 0)
        return "anon_inode:sync_file";
    if (strcmp(kind, "dmabuf") == 0)
        return "/dmabuf:";
    return "anon_inode:kiln";
}

/* sw_sync as the misc device Android kernels had (major 10; the minor is Kiln's choice). */
#define SW_SYNC_MAJOR 10
#define SW_SYNC_MINOR 125

static void as_device(struct stat *st, const char *node) {
    int minor = node_minor(node);
    st->st_mode = S_IFCHR | 0666;
    st->st_rdev = minor >= 0 ? makedev(DRM_MAJOR, minor) : makedev(SW_SYNC_MAJOR, SW_SYNC_MINOR);
    st->st_size = 0;
}

/* The stat of a node: its stand-in's identity, a character device's type. */
static int stat_node(const char *node, struct stat *st) {
    char node_file[PATH_MAX];
    snprintf(node_file, sizeof node_file, "%s/dev/dri/%s", root, node);
    resolve_stat();
    if (real_stat(node_file, st) < 0)
        return -1;
    as_device(st, node);
    return 0;
}

/* ---------------------------------------------------------------- transport */

static int send_all(int fd, const void *data, size_t length) {
    ssize_t n;
    do
        n = send(fd, data, length, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)length ? 0 : -1;
}

static ssize_t recv_one(int fd, void *buffer, size_t length) {
    ssize_t n;
    do
        n = recv(fd, buffer, length, 0);
    while (n < 0 && errno == EINTR);
    return n;
}

static int connect_runtime(int socket_flags, const char *bind_to) {
    int s = socket(AF_UNIX, SOCK_SEQPACKET | socket_flags, 0);
    if (s < 0)
        return -1;
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (bind_to) {
        if (strlen(bind_to) >= sizeof address.sun_path) {
            resolve_close();
            real_close(s);
            errno = ENAMETOOLONG;
            return -1;
        }
        strcpy(address.sun_path, bind_to);
        if (bind(s, (struct sockaddr *)&address, sizeof address) < 0) {
            int e = errno;
            resolve_close();
            real_close(s);
            errno = e;
            return -1;
        }
    }
    struct sockaddr_un server = {.sun_family = AF_UNIX};
    strcpy(server.sun_path, socket_path);
    int r;
    do
        r = connect(s, (struct sockaddr *)&server, sizeof server);
    while (r < 0 && errno == EINTR);
    if (bind_to)
        unlink(bind_to); /* the name stays the socket's; the file is not needed */
    if (r < 0) {
        resolve_close();
        real_close(s);
        errno = ENODEV; /* no runtime: no device */
        return -1;
    }
    return s;
}

/* A REPLY's result: >= 0, or -1 with errno set. */
static int await_reply(int s, uint8_t *buffer, size_t size, ssize_t *length) {
    ssize_t n = recv_one(s, buffer, size);
    if (n < 12 || *(uint32_t *)buffer != OP_REPLY) {
        errno = ENODEV;
        return -1;
    }
    if (length)
        *length = n;
    int32_t result = *(int32_t *)(buffer + 4);
    if (result < 0) {
        errno = -result;
        return -1;
    }
    return result;
}

/* A new endpoint named after kind, introduced by its first message; the socket is the descriptor. */
static int kiln_endpoint(const char *kind, int cloexec, const void *first, size_t first_length) {
    uint64_t token;
    if (getrandom(&token, sizeof token, 0) != sizeof token) {
        errno = EIO;
        return -1;
    }
    char name[PATH_MAX];
    snprintf(name, sizeof name, "%s%s-%016llx", names, kind, (unsigned long long)token);
    int s = connect_runtime(cloexec ? SOCK_CLOEXEC : 0, name);
    if (s < 0)
        return -1;
    uint8_t message[256];
    if (send_all(s, first, first_length) < 0 || await_reply(s, message, sizeof message, NULL) < 0) {
        int e = errno == EPIPE || errno == ECONNRESET ? ENODEV : errno;
        resolve_close();
        real_close(s);
        errno = e;
        return -1;
    }
    return s;
}

/* Opens a node. */
static int kiln_open(const char *node, int flags) {
    uint8_t message[256];
    int length = node_minor(node) >= 0 ? snprintf((char *)message + 8, sizeof message - 8, "/dev/dri/%s", node)
                                       : snprintf((char *)message + 8, sizeof message - 8, "/dev/%s", node);
    ((uint32_t *)message)[0] = OP_OPEN;
    ((uint32_t *)message)[1] = (uint32_t)flags;
    return kiln_endpoint(node, flags & O_CLOEXEC, message, 8 + length);
}

/* Takes a file an ioctl made as a new descriptor. */
static int kiln_adopt(const char *kind, int cloexec, uint64_t id) {
    uint8_t message[16];
    ((uint32_t *)message)[0] = OP_ADOPT;
    ((uint32_t *)message)[1] = 0;
    memcpy(message + 8, &id, 8);
    return kiln_endpoint(kind, cloexec, message, sizeof message);
}

/* ---------------------------------------------------------------- this thread's control connection */

static __thread int control = -1;
static __thread ino_t control_ino;
static __thread uint8_t *control_buffer;
static pthread_key_t control_key;
static pthread_once_t control_once = PTHREAD_ONCE_INIT;

static void control_drop(void) {
    if (control >= 0) {
        resolve_close();
        real_close(control);
    }
    control = -1;
}

static void control_thread_exit(void *unused) {
    (void)unused;
    control_drop();
    free(control_buffer);
    control_buffer = NULL;
}

static void control_after_fork(void) {
    /* the parent's connection: the child gets its own when it calls */
    control_drop();
}

static void control_setup(void) {
    pthread_key_create(&control_key, control_thread_exit);
    pthread_atfork(NULL, NULL, control_after_fork);
}

static int control_connection(void) {
    pthread_once(&control_once, control_setup);
    if (control >= 0) {
        /* the program may have closed it behind our back (closefrom) and the number been reused */
        struct stat st;
        resolve_fstat();
        if (real_fstat(control, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == control_ino)
            return control;
        control = -1;
    }
    if (!control_buffer) {
        control_buffer = malloc(MAX_MESSAGE);
        if (!control_buffer) {
            errno = ENOMEM;
            return -1;
        }
        pthread_setspecific(control_key, control_buffer);
    }
    int s = connect_runtime(SOCK_CLOEXEC, NULL);
    if (s < 0)
        return -1;
    uint32_t hello[2] = {OP_HELLO, (uint32_t)gettid()};
    if (send_all(s, hello, sizeof hello) < 0 || await_reply(s, control_buffer, MAX_MESSAGE, NULL) < 0) {
        int e = errno;
        resolve_close();
        real_close(s);
        errno = e == EACCES ? EACCES : ENODEV;
        return -1;
    }
    struct stat st;
    resolve_fstat();
    real_fstat(s, &st);
    control = s;
    control_ino = st.st_ino;
    return s;
}

/* Copies within this process without faulting on a bad pointer: EFAULT instead. */
static int safe_copy(void *to, const void *from, size_t length) {
    if (length == 0)
        return 0;
    struct iovec local = {to, length};
    struct iovec remote = {(void *)from, length};
    ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (n == (ssize_t)length)
        return 0;
    if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
        memcpy(to, from, length); /* no safety net here: a bad pointer faults as it would anyway */
        return 0;
    }
    errno = EFAULT;
    return -1;
}

static int safe_write(void *to, const void *from, size_t length) {
    if (length == 0)
        return 0;
    struct iovec local = {(void *)from, length};
    struct iovec remote = {to, length};
    ssize_t n = process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
    if (n == (ssize_t)length)
        return 0;
    if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
        memcpy(to, from, length);
        return 0;
    }
    errno = EFAULT;
    return -1;
}

/* Answers the runtime's requests for our memory until the ioctl's reply comes. */
static int kiln_ioctl(const char *name, unsigned long request, void *arg) {
    int s = control_connection();
    if (s < 0)
        return -1;
    uint8_t *b = control_buffer;
    uint32_t size = _IOC_SIZE(request);
    uint32_t in_length = (_IOC_DIR(request) & _IOC_WRITE) ? size : 0;
    uint32_t name_length = strlen(name);
    *(uint32_t *)(b + 0) = OP_IOCTL;
    *(uint32_t *)(b + 4) = (uint32_t)request;
    *(uint32_t *)(b + 8) = size;
    *(uint32_t *)(b + 12) = in_length;
    *(uint64_t *)(b + 16) = (uint64_t)(uintptr_t)arg;
    *(uint32_t *)(b + 24) = name_length;
    memcpy(b + 28, name, name_length);
    if (safe_copy(b + 28 + name_length, arg, in_length) < 0)
        return -1;
    if (send_all(s, b, 28 + name_length + in_length) < 0)
        goto lost;
    for (;;) {
        ssize_t n = recv_one(s, b, MAX_MESSAGE);
        if (n < 4)
            goto lost;
        uint32_t op = *(uint32_t *)b;
        if (op == OP_REPLY && n >= 16) {
            int32_t result = *(int32_t *)(b + 4);
            uint32_t out_length = *(uint32_t *)(b + 8);
            uint32_t adopt_count = *(uint32_t *)(b + 12);
            if (out_length > size || adopt_count > 8 || (ssize_t)(16 + adopt_count * ADOPT_ENTRY + out_length) != n)
                goto lost;
            uint8_t *out = b + 16 + adopt_count * ADOPT_ENTRY;
            int made[8], error = 0;
            for (uint32_t i = 0; i < adopt_count; i++) {
                uint8_t *entry = b + 16 + i * ADOPT_ENTRY;
                uint32_t offset = *(uint32_t *)entry;
                char kind[17];
                memcpy(kind, entry + 16, 16);
                kind[16] = 0;
                made[i] = error ? -1 : kiln_adopt(kind, *(uint32_t *)(entry + 4), *(uint64_t *)(entry + 8));
                if (made[i] < 0) {
                    error = error ? error : errno;
                } else if (offset + 4 <= out_length) {
                    memcpy(out + offset, &made[i], 4);
                }
            }
            if (!error && safe_write(arg, out, out_length) < 0)
                error = EFAULT;
            if (error) {
                resolve_close();
                for (uint32_t i = 0; i < adopt_count; i++)
                    if (made[i] >= 0)
                        real_close(made[i]);
                errno = error;
                return -1;
            }
            if (result < 0) {
                errno = -result;
                return -1;
            }
            return result;
        } else if ((op == OP_MEM_READ || op == OP_MEM_WRITE) && n >= 16) {
            uint32_t length = *(uint32_t *)(b + 4);
            void *address = (void *)(uintptr_t) * (uint64_t *)(b + 8);
            int32_t error = 0;
            if (op == OP_MEM_READ) {
                if (length > MAX_MESSAGE - 8)
                    goto lost;
                if (safe_copy(b + 8, address, length) < 0)
                    error = EFAULT;
                *(uint32_t *)b = OP_MEM_DATA;
                *(int32_t *)(b + 4) = error;
                if (send_all(s, b, error ? 8 : 8 + length) < 0)
                    goto lost;
            } else {
                if ((ssize_t)(16 + length) != n)
                    goto lost;
                if (safe_write(address, b + 16, length) < 0)
                    error = EFAULT;
                *(uint32_t *)b = OP_MEM_ACK;
                *(int32_t *)(b + 4) = error;
                if (send_all(s, b, 8) < 0)
                    goto lost;
            }
        } else if (op == OP_FD_QUERY && n == 8) {
            int asked = *(int32_t *)(b + 4);
            char name[64], link[64], target[64];
            int32_t what;
            size_t length = 0;
            if (endpoint_of(asked, NULL, name)) {
                what = FD_KILN;
                length = strlen(name);
                memcpy(b + 8, name, length);
            } else if (fcntl(asked, F_GETFD) < 0) {
                what = FD_CLOSED;
            } else {
                snprintf(link, sizeof link, "/proc/self/fd/%d", asked);
                resolve_readlinkat();
                ssize_t t = real_readlinkat(AT_FDCWD, link, target, sizeof target - 1);
                target[t > 0 ? t : 0] = 0;
                what = strcmp(target, "anon_inode:[eventfd]") == 0 ? FD_EVENTFD : FD_FOREIGN;
            }
            *(uint32_t *)b = OP_FD_INFO;
            *(int32_t *)(b + 4) = what;
            if (what == FD_EVENTFD) {
                /* the runtime signals it later, whatever this thread does then: it gets a copy */
                struct iovec iov = {b, 8};
                union {
                    struct cmsghdr header;
                    char space[CMSG_SPACE(sizeof(int))];
                } control;
                memset(&control, 0, sizeof control);
                struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space,
                                     .msg_controllen = sizeof control.space};
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &asked, sizeof(int));
                ssize_t sent;
                do
                    sent = sendmsg(s, &msg, MSG_NOSIGNAL);
                while (sent < 0 && errno == EINTR);
                if (sent != 8)
                    goto lost;
            } else if (send_all(s, b, 8 + length) < 0)
                goto lost;
        } else {
            goto lost;
        }
    }
lost:
    control_drop();
    errno = ENODEV; /* the runtime went away (or spoke nonsense): the device is gone */
    return -1;
}

/* ---------------------------------------------------------------- GEM mmap */

/* What this process mapped of Kiln's: the runtime holds each object until its munmap. */
struct mapping {
    void *address;
    size_t length;
    uint64_t id;
};
static struct mapping *mappings;
static size_t mapping_count, mapping_room;
static pthread_mutex_t mappings_lock = PTHREAD_MUTEX_INITIALIZER;

/* One request on this thread's control connection that expects a plain REPLY; its payload in *out. */
static int control_call(const void *request, size_t length, uint8_t **out, uint32_t *out_length) {
    int s = control_connection();
    if (s < 0)
        return -1;
    uint8_t *b = control_buffer;
    if (send_all(s, request, length) < 0)
        goto lost;
    ssize_t n = recv_one(s, b, MAX_MESSAGE);
    if (n < 16 || *(uint32_t *)b != OP_REPLY || (ssize_t)(16 + *(uint32_t *)(b + 8)) != n || *(uint32_t *)(b + 12))
        goto lost;
    if (out) {
        *out = b + 16;
        *out_length = *(uint32_t *)(b + 8);
    }
    int32_t result = *(int32_t *)(b + 4);
    if (result < 0) {
        errno = -result;
        return -1;
    }
    return result;
lost:
    control_drop();
    errno = ENODEV;
    return -1;
}

static void *kiln_mmap(const char *name, void *address, size_t length, int prot, int flags, off_t offset) {
    if ((flags & MAP_TYPE) != MAP_SHARED) {
        errno = EINVAL; /* drm_gem_shmem_mmap refuses copy-on-write mappings */
        return MAP_FAILED;
    }
    uint8_t request[32 + 64];
    uint32_t name_length = strlen(name);
    *(uint32_t *)request = OP_MMAP;
    *(uint32_t *)(request + 4) = name_length;
    *(uint64_t *)(request + 8) = (uint64_t)offset;
    *(uint64_t *)(request + 16) = (uint64_t)length;
    memcpy(request + 24, name, name_length);
    uint8_t *out;
    uint32_t out_length;
    if (control_call(request, 24 + name_length, &out, &out_length) < 0)
        return MAP_FAILED;
    if (out_length < 17 || out_length - 16 >= PATH_MAX) {
        errno = ENODEV;
        return MAP_FAILED;
    }
    uint64_t id = *(uint64_t *)out, file_offset = *(uint64_t *)(out + 8);
    char path[PATH_MAX];
    memcpy(path, out + 16, out_length - 16);
    path[out_length - 16] = 0;
    resolve_openat();
    resolve_mmap();
    resolve_close();
    int backing = real_openat(AT_FDCWD, path, O_RDWR | O_CLOEXEC, 0);
    void *mapped = backing < 0 ? MAP_FAILED : real_mmap(address, length, prot, flags, backing, (off_t)file_offset);
    int e = errno;
    if (backing >= 0)
        real_close(backing);
    int recorded = 0;
    if (mapped != MAP_FAILED) {
        pthread_mutex_lock(&mappings_lock);
        if (mapping_count == mapping_room) {
            size_t room = mapping_room ? mapping_room * 2 : 16;
            struct mapping *grown = realloc(mappings, room * sizeof *grown);
            if (grown) {
                mappings = grown;
                mapping_room = room;
            }
        }
        if (mapping_count < mapping_room) {
            mappings[mapping_count++] = (struct mapping){mapped, length, id};
            recorded = 1;
        }
        pthread_mutex_unlock(&mappings_lock);
    }
    if (!recorded) {
        uint64_t unmap[2] = {OP_UNMAP, id};
        control_call(unmap, sizeof unmap, NULL, NULL);
        if (mapped != MAP_FAILED) {
            resolve_munmap();
            real_munmap(mapped, length);
            e = ENOMEM;
        }
        errno = e;
        return MAP_FAILED;
    }
    return mapped;
}

/* ---------------------------------------------------------------- the intercepted calls */

EXPORT void *mmap(void *address, size_t length, int prot, int flags, int fd, off_t offset) {
    char name[64], node[32];
    if (fd >= 0 && !(flags & MAP_ANONYMOUS) && endpoint_of(fd, node, name) && node_minor(node) >= 0)
        return kiln_mmap(name, address, length, prot, flags, offset);
    resolve_mmap();
    return real_mmap(address, length, prot, flags, fd, offset);
}

EXPORT void *mmap64(void *address, size_t length, int prot, int flags, int fd, off64_t offset) {
    return mmap(address, length, prot, flags, fd, (off_t)offset);
}

EXPORT int munmap(void *address, size_t length) {
    uint64_t id = 0;
    pthread_mutex_lock(&mappings_lock);
    for (size_t i = 0; i < mapping_count; i++) {
        if (mappings[i].address == address) {
            id = mappings[i].id;
            mappings[i] = mappings[--mapping_count];
            break;
        }
    }
    pthread_mutex_unlock(&mappings_lock);
    resolve_munmap();
    int r = real_munmap(address, length);
    if (id) {
        int e = errno;
        uint64_t unmap[2] = {OP_UNMAP, id};
        control_call(unmap, sizeof unmap, NULL, NULL); /* the runtime lets the object go */
        errno = e;
    }
    return r;
}

static int open_common(int dirfd, const char *path, int flags, mode_t mode, int large) {
    char buffer[PATH_MAX], node[32];
    if (path && path[0] == '/') {
        int which = proc_fd_node(path, node);
        if (which == 1)
            return kiln_open(node, flags);
        if (which == 2 && strcmp(node, "sw_sync") == 0)
            return kiln_open(node, flags); /* a new timeline, as opening the node again gives */
        if (which == 2) {
            errno = ENXIO; /* anonymous files cannot be opened again by path */
            return -1;
        }
        const char *mapped = map_path(path, buffer);
        if (mapped) {
            if (mapped_node(mapped, node))
                return kiln_open(node, flags);
            path = mapped;
        }
    }
    if (large) {
        resolve_openat64();
        return real_openat64(dirfd, path, flags, mode);
    }
    resolve_openat();
    return real_openat(dirfd, path, flags, mode);
}

static mode_t mode_argument(int flags, va_list ap) {
    return (flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

EXPORT int open(const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_argument(flags, ap);
    va_end(ap);
    return open_common(AT_FDCWD, path, flags, mode, 0);
}

EXPORT int open64(const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_argument(flags, ap);
    va_end(ap);
    return open_common(AT_FDCWD, path, flags, mode, 1);
}

EXPORT int openat(int dirfd, const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_argument(flags, ap);
    va_end(ap);
    return open_common(dirfd, path, flags, mode, 0);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_argument(flags, ap);
    va_end(ap);
    return open_common(dirfd, path, flags, mode, 1);
}

EXPORT int __open_2(const char *path, int flags) { return open_common(AT_FDCWD, path, flags, 0, 0); }
EXPORT int __open64_2(const char *path, int flags) { return open_common(AT_FDCWD, path, flags, 0, 1); }
EXPORT int __openat_2(int dirfd, const char *path, int flags) { return open_common(dirfd, path, flags, 0, 0); }
EXPORT int __openat64_2(int dirfd, const char *path, int flags) { return open_common(dirfd, path, flags, 0, 1); }

EXPORT FILE *fopen(const char *path, const char *mode) {
    char buffer[PATH_MAX];
    const char *mapped = map_path(path, buffer);
    resolve_fopen();
    return real_fopen(mapped ? mapped : path, mode);
}

EXPORT FILE *fopen64(const char *path, const char *mode) {
    char buffer[PATH_MAX];
    const char *mapped = map_path(path, buffer);
    resolve_fopen64();
    return real_fopen64(mapped ? mapped : path, mode);
}

EXPORT int ioctl(int fd, unsigned long request, ...) {
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    char name[64];
    if (endpoint_of(fd, NULL, name))
        return kiln_ioctl(name, request, arg);
    resolve_ioctl();
    return real_ioctl(fd, request, arg);
}

/* stat and friends: one body for each shape, the node stand-in files made character devices. */
static int stat_path(const char *path, struct stat *st, int follow) {
    char buffer[PATH_MAX], node[32];
    if (path && path[0] == '/') {
        if (proc_fd_node(path, node) == 1)
            return stat_node(node, st);
        const char *mapped = map_path(path, buffer);
        if (mapped) {
            resolve_stat();
            resolve_lstat();
            int r = follow ? real_stat(mapped, st) : real_lstat(mapped, st);
            if (r == 0 && S_ISREG(st->st_mode) && mapped_node(mapped, node))
                as_device(st, node);
            return r;
        }
    }
    resolve_stat();
    resolve_lstat();
    return follow ? real_stat(path, st) : real_lstat(path, st);
}

static int stat_fd(int fd, struct stat *st) {
    char node[32];
    if (endpoint_of(fd, node, NULL) && node_minor(node) >= 0)
        return stat_node(node, st);
    resolve_fstat();
    return real_fstat(fd, st);
}

static int stat_at(int dirfd, const char *path, struct stat *st, int flags) {
    if (path && path[0] == 0 && (flags & AT_EMPTY_PATH))
        return stat_fd(dirfd, st);
    if (path && path[0] == '/')
        return stat_path(path, st, !(flags & AT_SYMLINK_NOFOLLOW));
    resolve_fstatat();
    return real_fstatat(dirfd, path, st, flags);
}

EXPORT int stat(const char *path, struct stat *st) { return stat_path(path, st, 1); }
EXPORT int stat64(const char *path, struct stat64 *st) { return stat_path(path, (struct stat *)st, 1); }
EXPORT int lstat(const char *path, struct stat *st) { return stat_path(path, st, 0); }
EXPORT int lstat64(const char *path, struct stat64 *st) { return stat_path(path, (struct stat *)st, 0); }
EXPORT int fstat(int fd, struct stat *st) { return stat_fd(fd, st); }
EXPORT int fstat64(int fd, struct stat64 *st) { return stat_fd(fd, (struct stat *)st); }
EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags) { return stat_at(dirfd, path, st, flags); }
EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags) {
    return stat_at(dirfd, path, (struct stat *)st, flags);
}
EXPORT int __xstat(int version, const char *path, struct stat *st) { (void)version; return stat_path(path, st, 1); }
EXPORT int __xstat64(int version, const char *path, struct stat64 *st) {
    (void)version;
    return stat_path(path, (struct stat *)st, 1);
}
EXPORT int __lxstat(int version, const char *path, struct stat *st) { (void)version; return stat_path(path, st, 0); }
EXPORT int __lxstat64(int version, const char *path, struct stat64 *st) {
    (void)version;
    return stat_path(path, (struct stat *)st, 0);
}
EXPORT int __fxstat(int version, int fd, struct stat *st) { (void)version; return stat_fd(fd, st); }
EXPORT int __fxstat64(int version, int fd, struct stat64 *st) { (void)version; return stat_fd(fd, (struct stat *)st); }
EXPORT int __fxstatat(int version, int dirfd, const char *path, struct stat *st, int flags) {
    (void)version;
    return stat_at(dirfd, path, st, flags);
}
EXPORT int __fxstatat64(int version, int dirfd, const char *path, struct stat64 *st, int flags) {
    (void)version;
    return stat_at(dirfd, path, (struct stat *)st, flags);
}

EXPORT int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx) {
    char buffer[PATH_MAX], node[32];
    int is_node = 0;
    resolve_statx();
    if (path[0] == 0 && (flags & AT_EMPTY_PATH) && endpoint_of(dirfd, node, NULL) && node_minor(node) >= 0) {
        snprintf(buffer, sizeof buffer, "%s/dev/dri/%s", root, node);
        path = buffer;
        dirfd = AT_FDCWD;
        flags &= ~AT_EMPTY_PATH;
        is_node = 1;
    } else if (path[0] == '/') {
        if (proc_fd_node(path, node) == 1) {
            snprintf(buffer, sizeof buffer, "%s/dev/dri/%s", root, node);
            path = buffer;
            is_node = 1;
        } else {
            const char *mapped = map_path(path, buffer);
            if (mapped) {
                path = mapped;
                is_node = mapped_node(mapped, node);
            }
        }
    }
    int r = real_statx(dirfd, path, flags, mask, stx);
    if (r == 0 && is_node && S_ISREG(stx->stx_mode)) {
        stx->stx_mode = S_IFCHR | 0666;
        int minor = node_minor(node);
        stx->stx_rdev_major = minor >= 0 ? DRM_MAJOR : SW_SYNC_MAJOR;
        stx->stx_rdev_minor = minor >= 0 ? minor : SW_SYNC_MINOR;
        stx->stx_size = 0;
    }
    return r;
}

EXPORT int access(const char *path, int mode) {
    char buffer[PATH_MAX];
    const char *mapped = map_path(path, buffer);
    resolve_access();
    return real_access(mapped ? mapped : path, mode);
}

EXPORT int faccessat(int dirfd, const char *path, int mode, int flags) {
    char buffer[PATH_MAX];
    const char *mapped = map_path(path, buffer);
    resolve_faccessat();
    return real_faccessat(dirfd, mapped ? mapped : path, mode, flags);
}

EXPORT int euidaccess(const char *path, int mode) {
    char buffer[PATH_MAX];
    const char *mapped = map_path(path, buffer);
    resolve_euidaccess();
    return real_euidaccess(mapped ? mapped : path, mode);
}

EXPORT int eaccess(const char *path, int mode) { return euidaccess(path, mode); }

EXPORT DIR *opendir(const char *path) {
    char buffer[PATH_MAX];
    const char *mapped = map_path(path, buffer);
    resolve_opendir();
    return real_opendir(mapped ? mapped : path);
}

EXPORT int scandir(const char *path, struct dirent ***list, int (*filter)(const struct dirent *),
                   int (*compare)(const struct dirent **, const struct dirent **)) {
    char buffer[PATH_MAX];
    const char *mapped = map_path(path, buffer);
    resolve_scandir();
    return real_scandir(mapped ? mapped : path, list, filter, compare);
}

static ssize_t readlink_common(int dirfd, const char *path, char *out, size_t size) {
    char buffer[PATH_MAX], node[32];
    if (path && path[0] == '/') {
        int which = proc_fd_node(path, node);
        if (which) {
            char target[64];
            int n = which == 1 ? snprintf(target, sizeof target, "/dev/dri/%s", node)
                               : snprintf(target, sizeof target, "%s", anonymous_link(node));
            size_t copy = (size_t)n < size ? (size_t)n : size;
            memcpy(out, target, copy); /* readlink does not terminate */
            return (ssize_t)copy;
        }
        const char *mapped = map_path(path, buffer);
        if (mapped)
            path = mapped;
    }
    resolve_readlinkat();
    return real_readlinkat(dirfd, path, out, size);
}

EXPORT ssize_t readlink(const char *path, char *out, size_t size) { return readlink_common(AT_FDCWD, path, out, size); }
EXPORT ssize_t readlinkat(int dirfd, const char *path, char *out, size_t size) {
    return readlink_common(dirfd, path, out, size);
}

EXPORT char *realpath(const char *path, char *resolved) {
    char buffer[PATH_MAX];
    const char *mapped = map_path(path, buffer);
    resolve_realpath();
    if (!mapped)
        return real_realpath(path, resolved);
    char result[PATH_MAX];
    if (!real_realpath(mapped, result))
        return NULL;
    const char *shown = strncmp(result, root, root_len) == 0 && (result[root_len] == '/' || !result[root_len])
                            ? result + root_len
                            : result;
    if (!*shown)
        shown = "/";
    if (!resolved) {
        return strdup(shown);
    }
    snprintf(resolved, PATH_MAX, "%s", shown);
    return resolved;
}
