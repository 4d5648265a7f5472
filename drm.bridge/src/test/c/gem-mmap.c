/*
 * A GEM object mapped in C sees the very bytes Kiln (and the GPU) see: the program writes a
 * pattern through its mapping, Kiln checks it and writes its answer, the program reads that back.
 * Protocol on stdout/stdin with the test: "mapped HANDLE SIZE" once written; on a "check" line,
 * the program verifies Kiln's answer. Usage: gem-mmap /dev/dri/renderDN.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kiln-native-test.h"

struct drm_asahi_gem_create {
    uint64_t extensions, size;
    uint32_t flags, vm_id, handle, pad;
};
struct drm_asahi_gem_mmap_offset {
    uint64_t extensions;
    uint32_t handle, flags;
    uint64_t offset;
};
struct drm_gem_close {
    uint32_t handle, pad;
};
#define DRM_IOCTL_ASAHI_GEM_CREATE _IOWR('d', 0x43, struct drm_asahi_gem_create)
#define DRM_IOCTL_ASAHI_GEM_MMAP_OFFSET _IOWR('d', 0x44, struct drm_asahi_gem_mmap_offset)
#define DRM_IOCTL_GEM_CLOSE _IOW('d', 0x09, struct drm_gem_close)
#define SIZE (4 * 16384)

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "/dev/dri/renderD128";
    int fd = open(path, O_RDWR | O_CLOEXEC);
    struct drm_asahi_gem_create create = {.size = SIZE};
    CHECK(fd >= 0 && drmIoctl(fd, DRM_IOCTL_ASAHI_GEM_CREATE, &create) == 0, "GEM_CREATE: %s", strerror(errno));
    struct drm_asahi_gem_mmap_offset where = {.handle = create.handle};
    CHECK(drmIoctl(fd, DRM_IOCTL_ASAHI_GEM_MMAP_OFFSET, &where) == 0 && where.offset, "MMAP_OFFSET: %s", strerror(errno));
    uint8_t *bytes = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, where.offset);
    CHECK(bytes != MAP_FAILED, "mmap: %s", strerror(errno));
    CHECK(mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, where.offset) == MAP_FAILED && errno == EINVAL,
          "a private mapping: errno %d", errno);
    CHECK(mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, where.offset + 16384 * 1000) == MAP_FAILED && errno == EINVAL,
          "an offset of no object: errno %d", errno);
    CHECK(mmap(NULL, 2 * SIZE, PROT_READ, MAP_SHARED, fd, where.offset) == MAP_FAILED && errno == EINVAL,
          "longer than the object: errno %d", errno);
    if (bytes == MAP_FAILED)
        return 1;

    /* PRIME: the object as a dma-buf descriptor of the program's own, imported back as itself */
    int prime = -1;
    uint32_t again = 0;
    CHECK(drmPrimeHandleToFD(fd, create.handle, O_CLOEXEC | O_RDWR, &prime) == 0 && prime >= 0,
          "PRIME export: %s", strerror(errno));
    char link[64], target[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", prime);
    ssize_t n = readlink(link, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    CHECK(strncmp(target, "/dmabuf:", 8) == 0, "readlink gave '%s'", target);
    CHECK((fcntl(prime, F_GETFD) & FD_CLOEXEC) != 0, "DRM_CLOEXEC honoured");
    CHECK(drmPrimeFDToHandle(fd, prime, &again) == 0 && again == create.handle, "import gave %u: %s", again,
          strerror(errno));
    close(prime);
    for (int i = 0; i < SIZE; i++)
        bytes[i] = (uint8_t)(i * 7 + 3);
    printf("mapped %u %d\n", create.handle, SIZE);
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof line, stdin))
        return 1;
    int answered = 1;
    for (int i = 0; i < SIZE; i++)
        answered &= bytes[i] == (uint8_t)(255 - i * 7 % 256);
    CHECK(answered, "Kiln's answer is in the mapping");
    CHECK(munmap(bytes, SIZE) == 0, "munmap");
    struct drm_gem_close gem_close = {.handle = create.handle};
    CHECK(drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &gem_close) == 0, "GEM_CLOSE: %s", strerror(errno));
    printf("%s: %d failed\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
