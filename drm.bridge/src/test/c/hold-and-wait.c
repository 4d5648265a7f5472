/*
 * Holds a render node and a syncobj, with a second thread waiting for a submission that never
 * comes; says "ready" once both threads have called into Kiln, then waits for stdin to close. The
 * test kills it mid-wait, lets it exit, or stops the runtime under it (the wait then ends with an
 * error, printed as "woke <result>").
 */
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "kiln-native-test.h"

static int fd;
static uint32_t handle;

static void *waiter(void *unused) {
    (void)unused;
    int r = drmSyncobjWait(fd, &handle, 1, INT64_MAX, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL);
    printf("woke %d\n", r);
    fflush(stdout);
    return NULL;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "/dev/dri/renderD128";
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0 || drmSyncobjCreate(fd, 0, &handle) != 0) {
        printf("cannot use %s: %s\n", path, strerror(errno));
        return 2;
    }
    pthread_t thread;
    pthread_create(&thread, NULL, waiter, NULL);
    printf("ready\n");
    fflush(stdout);
    char buffer[64];
    while (read(0, buffer, sizeof buffer) > 0) {
    }
    return 0;
}
