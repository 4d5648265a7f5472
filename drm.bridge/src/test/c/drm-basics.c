/*
 * Device discovery and syncobjs through the machine's real libdrm, run under bin/kiln-exec:
 * what a DRM program does first. Prints one line per check; exits 0 when all passed.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kiln-native-test.h"

#define DRM_IOCTL_VERSION _IOWR('d', 0x00, drmVersion)

static void check_render_node(const char *path) {
    printf("# %s\n", path);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
    if (fd < 0)
        return;
    drmVersion *version = drmGetVersion(fd);
    CHECK(version && strcmp(version->name, "asahi") == 0, "driver %s", version ? version->name : strerror(errno));
    if (version)
        drmFreeVersion(version);

    struct stat by_path, by_fd;
    CHECK(stat(path, &by_path) == 0 && S_ISCHR(by_path.st_mode) && major(by_path.st_rdev) == 226,
          "stat %s: mode %o", path, by_path.st_mode);
    CHECK(fstat(fd, &by_fd) == 0 && by_fd.st_rdev == by_path.st_rdev && by_fd.st_ino == by_path.st_ino
              && by_fd.st_dev == by_path.st_dev,
          "fstat disagrees with stat");

    char link[64], target[256];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    CHECK(strcmp(target, path) == 0, "readlink %s gave '%s'", link, target);
    int again = open(link, O_RDWR);
    CHECK(again >= 0 && again != fd, "reopen through %s: %s", link, strerror(errno));
    drmVersion *second = again >= 0 ? drmGetVersion(again) : NULL;
    CHECK(second != NULL, "version through the reopened file: %s", strerror(errno));
    if (second)
        drmFreeVersion(second);
    if (again >= 0)
        close(again);

    drmDevice *device = NULL;
    CHECK(drmGetDevice2(fd, 0, &device) == 0 && device && device->bustype == DRM_BUS_PLATFORM
              && (device->available_nodes & (1 << DRM_NODE_RENDER)) && strcmp(device->nodes[DRM_NODE_RENDER], path) == 0,
          "drmGetDevice2: %s", strerror(errno));
    if (device)
        drmFreeDevice(&device);
    char *name = drmGetDeviceNameFromFd2(fd);
    CHECK(name && strcmp(name, path) == 0, "drmGetDeviceNameFromFd2 gave %s", name ? name : "NULL");
    free(name);
    CHECK(drmGetNodeTypeFromFd(fd) == DRM_NODE_RENDER, "node type %d", drmGetNodeTypeFromFd(fd));

    /* syncobjs: the kernel's answers */
    uint32_t plain, signalled, timeline;
    CHECK(drmSyncobjCreate(fd, 0, &plain) == 0, "create: %s", strerror(errno));
    CHECK(drmSyncobjCreate(fd, DRM_SYNCOBJ_CREATE_SIGNALED, &signalled) == 0, "create signalled");
    CHECK(drmSyncobjCreate(fd, 0, &timeline) == 0, "create timeline");
    CHECK(drmSyncobjWait(fd, &signalled, 1, 0, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL) == 0, "signalled waits");
    int r = drmSyncobjWait(fd, &plain, 1, 0, 0, NULL);
    CHECK(r == -EINVAL, "no fence and no WAIT_FOR_SUBMIT: %d", r);
    r = drmSyncobjWait(fd, &plain, 1, 0, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL);
    CHECK(r == -ETIME, "WAIT_FOR_SUBMIT times out: %d", r);
    uint32_t both[2] = {plain, signalled}, first = 99;
    r = drmSyncobjWait(fd, both, 2, 0, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, &first);
    CHECK(r == 0 && first == 1, "any-wait: %d, first %u", r, first);
    uint64_t point = 5;
    CHECK(drmSyncobjTimelineSignal(fd, &timeline, &point, 1) == 0, "timeline signal");
    uint64_t queried = 0;
    CHECK(drmSyncobjQuery(fd, &timeline, &queried, 1) == 0 && queried == 5, "query gave %llu",
          (unsigned long long)queried);
    CHECK(drmSyncobjTransfer(fd, plain, 0, timeline, 5, 0) == 0, "transfer: %s", strerror(errno));
    CHECK(drmSyncobjWait(fd, &plain, 1, 0, 0, NULL) == 0, "the transferred point waits");
    uint32_t unknown = 4242;
    r = drmSyncobjWait(fd, &unknown, 1, 0, 0, NULL);
    CHECK(r == -ENOENT, "unknown handle: %d", r);
    CHECK(drmSyncobjDestroy(fd, plain) == 0, "destroy: %s", strerror(errno));
    errno = 0;
    CHECK(drmSyncobjDestroy(fd, plain) == -1 && errno == EINVAL, "destroyed twice: errno %d", errno); /* drmIoctl's -1 */

    /* pointers the program gets wrong are EFAULT, as from the kernel */
    errno = 0;
    CHECK(ioctl(fd, DRM_IOCTL_VERSION, (void *)8) == -1 && errno == EFAULT, "bad pointer: errno %d", errno);
    drmVersion bad = {.name_len = 64, .name = (char *)16};
    errno = 0;
    CHECK(ioctl(fd, DRM_IOCTL_VERSION, &bad) == -1 && errno == EFAULT, "bad nested pointer: errno %d", errno);
    close(fd);
}

int main(void) {
    drmDevice *devices[16];
    int count = drmGetDevices2(0, devices, 16);
    CHECK(count >= 1, "drmGetDevices2 found %d", count);
    for (int i = 0; i < count && i < 16; i++) {
        drmDevice *d = devices[i];
        CHECK(d->bustype == DRM_BUS_PLATFORM, "bus %d", d->bustype);
        CHECK((d->available_nodes & (1 << DRM_NODE_RENDER)) && (d->available_nodes & (1 << DRM_NODE_PRIMARY)),
              "nodes 0x%x", d->available_nodes);
        CHECK(strncmp(d->businfo.platform->fullname, "/soc/gpu@", 9) == 0, "fullname %s", d->businfo.platform->fullname);
        CHECK(d->deviceinfo.platform->compatible && strncmp(d->deviceinfo.platform->compatible[0], "apple,agx-", 10) == 0,
              "compatible %s", d->deviceinfo.platform->compatible ? d->deviceinfo.platform->compatible[0] : "none");
        printf("# device %d: %s %s %s\n", i, d->nodes[DRM_NODE_PRIMARY], d->nodes[DRM_NODE_RENDER],
               d->deviceinfo.platform->compatible[0]);
        check_render_node(d->nodes[DRM_NODE_RENDER]);
    }
    if (count > 0)
        drmFreeDevices(devices, count < 16 ? count : 16);
    printf("%s: %d failed\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
