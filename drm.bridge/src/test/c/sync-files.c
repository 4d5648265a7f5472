/*
 * sw_sync timelines and sync files as test suites use them: fences signalled from userspace by
 * another thread, poll readiness, MERGE and FILE_INFO, a closed timeline failing what it left
 * pending, and a sync file waited on through a DRM syncobj. Usage: sync-files /dev/dri/renderDN.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kiln-native-test.h"

struct sw_sync_create_fence_data {
    uint32_t value;
    char name[32];
    int32_t fence;
};
struct sync_merge_data {
    char name[32];
    int32_t fd2;
    int32_t fence;
    uint32_t flags;
    uint32_t pad;
};
struct sync_fence_info {
    char obj_name[32];
    char driver_name[32];
    int32_t status;
    uint32_t flags;
    uint64_t timestamp_ns;
};
struct sync_file_info {
    char name[32];
    int32_t status;
    uint32_t flags;
    uint32_t num_fences;
    uint32_t pad;
    uint64_t sync_fence_info;
};
#define SW_SYNC_IOC_CREATE_FENCE _IOWR('W', 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC _IOW('W', 1, uint32_t)
#define SYNC_IOC_MERGE _IOWR('>', 3, struct sync_merge_data)
#define SYNC_IOC_FILE_INFO _IOWR('>', 4, struct sync_file_info)

static int fence_at(int timeline, uint32_t value) {
    struct sw_sync_create_fence_data data = {.value = value, .name = "test"};
    return ioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, &data) == 0 ? data.fence : -1;
}

static int inc(int timeline, uint32_t by) { return ioctl(timeline, SW_SYNC_IOC_INC, &by); }

static int readable(int fd, int timeout_ms) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

struct later {
    int timeline;
    uint32_t by;
};

static void *advance_later(void *arg) {
    struct later *l = arg;
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
    inc(l->timeline, l->by);
    return NULL;
}

static int file_info(int fd, struct sync_fence_info *infos, uint32_t room, struct sync_file_info *info) {
    memset(info, 0, sizeof *info);
    info->num_fences = room;
    info->sync_fence_info = (uint64_t)(uintptr_t)infos;
    return ioctl(fd, SYNC_IOC_FILE_INFO, info);
}

int main(int argc, char **argv) {
    int timeline = open("/dev/sw_sync", O_RDWR);
    CHECK(timeline >= 0, "open /dev/sw_sync: %s", strerror(errno));
    int other = open("/sys/kernel/debug/sync/sw_sync", O_RDWR);
    CHECK(other >= 0, "open the debugfs sw_sync: %s", strerror(errno));
    if (timeline < 0 || other < 0)
        return 1;

    int f1 = fence_at(timeline, 1), f2 = fence_at(timeline, 2), g5 = fence_at(other, 5);
    CHECK(f1 >= 0 && f2 >= 0 && g5 >= 0, "create fences: %s", strerror(errno));
    CHECK(!readable(f1, 0), "a pending fence is not readable");

    /* another thread advances the timeline while this one polls */
    struct later one = {timeline, 1};
    pthread_t thread;
    pthread_create(&thread, NULL, advance_later, &one);
    CHECK(readable(f1, 10000), "the fence signalled by the other thread wakes poll");
    pthread_join(thread, NULL);
    CHECK(!readable(f2, 0), "the next point still pending");

    struct sync_merge_data merge = {.name = "both", .fd2 = g5};
    CHECK(ioctl(f2, SYNC_IOC_MERGE, &merge) == 0 && merge.fence >= 0, "merge: %s", strerror(errno));
    struct sync_file_info info;
    struct sync_fence_info infos[4];
    CHECK(file_info(merge.fence, NULL, 0, &info) == 0 && info.num_fences == 2 && info.status == 0
              && strcmp(info.name, "both") == 0,
          "info: %d fences, status %d, name %s", info.num_fences, info.status, info.name);
    CHECK(file_info(merge.fence, infos, 1, &info) == -1 && errno == EINVAL, "too little room: errno %d", errno);
    struct sync_merge_data bad = {.name = "x", .fd2 = 0};
    CHECK(ioctl(f2, SYNC_IOC_MERGE, &bad) == -1 && errno == ENOENT, "merging stdin: errno %d", errno);

    /* a sync file waited on through a DRM syncobj, signalled from another thread */
    const char *node = argc > 1 ? argv[1] : "/dev/dri/renderD128";
    int drm = open(node, O_RDWR | O_CLOEXEC);
    uint32_t syncobj;
    CHECK(drm >= 0 && drmSyncobjCreate(drm, 0, &syncobj) == 0, "syncobj on %s: %s", node, strerror(errno));
    CHECK(drmSyncobjImportSyncFile(drm, syncobj, merge.fence) == 0, "import: %s", strerror(errno));
    struct later both[2] = {{timeline, 1}, {other, 5}};
    pthread_t t1, t2;
    pthread_create(&t1, NULL, advance_later, &both[0]);
    pthread_create(&t2, NULL, advance_later, &both[1]);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t deadline = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec + 10LL * 1000000000;
    CHECK(drmSyncobjWait(drm, &syncobj, 1, deadline, 0, NULL) == 0, "the merged fence signals");
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    CHECK(readable(merge.fence, 0) && readable(f2, 0), "both readable now");
    CHECK(file_info(merge.fence, infos, 4, &info) == 0 && info.status == 1 && infos[0].status == 1
              && strcmp(infos[0].driver_name, "sw_sync") == 0,
          "signalled info: status %d, %s", info.status, infos[0].driver_name);

    /* closing a timeline fails what it left pending */
    int orphan = fence_at(other, 9);
    close(other);
    CHECK(readable(orphan, 10000), "the orphan signals");
    CHECK(file_info(orphan, NULL, 0, &info) == 0 && info.status == -ENOENT, "orphan status %d", info.status);

    printf("%s: %d failed\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
