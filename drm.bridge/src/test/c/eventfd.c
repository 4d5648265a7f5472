/*
 * DRM_IOCTL_SYNCOBJ_EVENTFD from C: the program's eventfd is signalled when a syncobj point
 * becomes available or signals, whatever the program does meanwhile; a pending point is driven
 * by a sw_sync timeline. Usage: eventfd /dev/dri/renderDN.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kiln-native-test.h"

struct drm_syncobj_eventfd {
    uint32_t handle, flags;
    uint64_t point;
    int32_t fd;
    uint32_t pad;
};
struct sw_sync_create_fence_data {
    uint32_t value;
    char name[32];
    int32_t fence;
};
#define DRM_IOCTL_SYNCOBJ_EVENTFD _IOWR('d', 0xCF, struct drm_syncobj_eventfd)
#define SW_SYNC_IOC_CREATE_FENCE _IOWR('W', 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC _IOW('W', 1, uint32_t)
#define WAIT_AVAILABLE 4

static int watch(int fd, uint32_t handle, uint64_t point, uint32_t flags, int efd) {
    struct drm_syncobj_eventfd args = {.handle = handle, .flags = flags, .point = point, .fd = efd};
    return drmIoctl(fd, DRM_IOCTL_SYNCOBJ_EVENTFD, &args);
}

static uint64_t count(int efd, int timeout_ms) {
    struct pollfd p = {.fd = efd, .events = POLLIN};
    uint64_t value = 0;
    if (poll(&p, 1, timeout_ms) == 1 && read(efd, &value, sizeof value) != sizeof value)
        return 0;
    return value;
}

int main(int argc, char **argv) {
    const char *node = argc > 1 ? argv[1] : "/dev/dri/renderD128";
    int fd = open(node, O_RDWR | O_CLOEXEC);
    int efd = eventfd(0, EFD_CLOEXEC);
    uint32_t h;
    CHECK(fd >= 0 && efd >= 0 && drmSyncobjCreate(fd, 0, &h) == 0, "setup: %s", strerror(errno));

    CHECK(watch(fd, h, 1, 0, efd) == 0, "watch point 1: %s", strerror(errno));
    CHECK(watch(fd, h, 1, WAIT_AVAILABLE, efd) == 0, "watch point 1 available");
    CHECK(count(efd, 0) == 0, "nothing yet");
    uint64_t one = 1;
    CHECK(drmSyncobjTimelineSignal(fd, &h, &one, 1) == 0, "signal point 1");
    CHECK(count(efd, 10000) == 2, "both registrations counted");

    /* a pending point, signalled from a sw_sync timeline */
    int timeline = open("/dev/sw_sync", O_RDWR);
    struct sw_sync_create_fence_data fence = {.value = 1, .name = "pending"};
    uint32_t pending;
    CHECK(timeline >= 0 && ioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, &fence) == 0
              && drmSyncobjCreate(fd, 0, &pending) == 0 && drmSyncobjImportSyncFile(fd, pending, fence.fence) == 0,
          "a pending fence: %s", strerror(errno));
    CHECK(watch(fd, pending, 0, 0, efd) == 0, "watch the pending fence");
    close(efd); /* the runtime holds its own copy until it signals */
    efd = -1;
    int again = eventfd(0, EFD_CLOEXEC);
    CHECK(watch(fd, pending, 0, 0, again) == 0, "a second eventfd on it");
    CHECK(count(again, 0) == 0, "pending");
    uint32_t by = 1;
    CHECK(ioctl(timeline, SW_SYNC_IOC_INC, &by) == 0, "INC");
    CHECK(count(again, 10000) == 1, "the signal reached the eventfd");

    int null_fd = open("/dev/null", O_RDONLY);
    CHECK(watch(fd, h, 1, 0, 999) == -1 && errno == EBADF, "not open: errno %d", errno);
    CHECK(watch(fd, h, 1, 0, null_fd) == -1 && errno == EINVAL, "not an eventfd: errno %d", errno);
    CHECK(watch(fd, 4242, 1, 0, again) == -1 && errno == ENOENT, "unknown handle: errno %d", errno);
    CHECK(watch(fd, h, 1, 1, again) == -1 && errno == EINVAL, "a flag other than WAIT_AVAILABLE: errno %d", errno);
    printf("%s: %d failed\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
