/*
 * What Kiln's native test programs share: the few libdrm declarations they call (the machine has
 * libdrm.so.2 but not its development headers; these are libdrm 2.4's public ABI), and CHECK.
 */
#ifndef KILN_NATIVE_TEST_H
#define KILN_NATIVE_TEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRM_NODE_PRIMARY 0
#define DRM_NODE_RENDER 2
#define DRM_NODE_MAX 3
#define DRM_BUS_PLATFORM 2

typedef struct {
    int version_major, version_minor, version_patchlevel;
    int name_len;
    char *name;
    int date_len;
    char *date;
    int desc_len;
    char *desc;
} drmVersion;

typedef struct {
    char fullname[512];
} drmPlatformBusInfo;

typedef struct {
    char **compatible;
} drmPlatformDeviceInfo;

typedef struct {
    char **nodes;
    int available_nodes;
    int bustype;
    union {
        void *pci;
        drmPlatformBusInfo *platform;
    } businfo;
    union {
        void *pci;
        drmPlatformDeviceInfo *platform;
    } deviceinfo;
} drmDevice;

drmVersion *drmGetVersion(int fd);
void drmFreeVersion(drmVersion *version);
int drmGetDevices2(uint32_t flags, drmDevice **devices, int max_devices);
void drmFreeDevices(drmDevice **devices, int count);
int drmGetDevice2(int fd, uint32_t flags, drmDevice **device);
void drmFreeDevice(drmDevice **device);
int drmIoctl(int fd, unsigned long request, void *arg);
int drmSyncobjCreate(int fd, uint32_t flags, uint32_t *handle);
int drmSyncobjDestroy(int fd, uint32_t handle);
int drmSyncobjWait(int fd, uint32_t *handles, unsigned num_handles, int64_t timeout_nsec, unsigned flags,
                   uint32_t *first_signaled);
int drmSyncobjSignal(int fd, const uint32_t *handles, uint32_t handle_count);
int drmSyncobjReset(int fd, const uint32_t *handles, uint32_t handle_count);
int drmSyncobjTimelineSignal(int fd, const uint32_t *handles, uint64_t *points, uint32_t handle_count);
int drmSyncobjQuery(int fd, uint32_t *handles, uint64_t *points, uint32_t handle_count);
int drmSyncobjTimelineWait(int fd, uint32_t *handles, uint64_t *points, unsigned num_handles, int64_t timeout_nsec,
                           unsigned flags, uint32_t *first_signaled);
int drmSyncobjTransfer(int fd, uint32_t dst_handle, uint64_t dst_point, uint32_t src_handle, uint64_t src_point,
                       uint32_t flags);
int drmSyncobjHandleToFD(int fd, uint32_t handle, int *obj_fd);
int drmSyncobjFDToHandle(int fd, int obj_fd, uint32_t *handle);
int drmSyncobjExportSyncFile(int fd, uint32_t handle, int *sync_file_fd);
int drmSyncobjImportSyncFile(int fd, uint32_t handle, int sync_file_fd);
int drmPrimeHandleToFD(int fd, uint32_t handle, uint32_t flags, int *prime_fd);
int drmPrimeFDToHandle(int fd, int prime_fd, uint32_t *handle);
char *drmGetDeviceNameFromFd2(int fd);
int drmGetNodeTypeFromFd(int fd);
char *drmGetRenderDeviceNameFromFd(int fd);

#define DRM_SYNCOBJ_CREATE_SIGNALED 1
#define DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL 1
#define DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT 2

__attribute__((unused)) static int failures;

#define CHECK(condition, ...)                                                                                  \
    do {                                                                                                       \
        if (condition) {                                                                                       \
            printf("ok   %s\n", #condition);                                                                   \
        } else {                                                                                               \
            failures++;                                                                                        \
            printf("FAIL %s:%d %s: ", __FILE__, __LINE__, #condition);                                         \
            printf(__VA_ARGS__);                                                                               \
            printf("\n");                                                                                      \
        }                                                                                                      \
        fflush(stdout);                                                                                        \
    } while (0)

#endif
