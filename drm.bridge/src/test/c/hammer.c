/*
 * Many threads issuing ioctls at once on one process's files: each thread has its own file and a
 * shared one, and loops over syncobj create, signal, wait, query, export/import and destroy.
 * Usage: hammer NODE THREADS ROUNDS. Exits 0 when every call answered as expected.
 */
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "kiln-native-test.h"

static const char *node;
static int shared, rounds;
static int errors;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *work(void *unused) {
    (void)unused;
    int own = open(node, O_RDWR | O_CLOEXEC);
    int bad = own < 0;
    for (int i = 0; i < rounds && !bad; i++) {
        int fd = i % 2 ? own : shared;
        uint32_t a, b;
        uint64_t point = (uint64_t)i + 1, seen = 0;
        int obj = -1;
        bad |= drmSyncobjCreate(fd, 0, &a) != 0;
        bad |= drmSyncobjTimelineSignal(fd, &a, &point, 1) != 0;
        bad |= drmSyncobjQuery(fd, &a, &seen, 1) != 0 || seen != point;
        bad |= drmSyncobjTimelineWait(fd, &a, &point, 1, 0, 0, NULL) != 0;
        bad |= drmSyncobjHandleToFD(fd, a, &obj) != 0;
        bad |= drmSyncobjFDToHandle(own, obj, &b) != 0;
        bad |= drmSyncobjDestroy(fd, a) != 0 || drmSyncobjDestroy(own, b) != 0;
        close(obj);
    }
    if (own >= 0)
        close(own);
    if (bad) {
        pthread_mutex_lock(&lock);
        errors++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int main(int argc, char **argv) {
    node = argc > 1 ? argv[1] : "/dev/dri/renderD128";
    int threads = argc > 2 ? atoi(argv[2]) : 8;
    rounds = argc > 3 ? atoi(argv[3]) : 100;
    shared = open(node, O_RDWR | O_CLOEXEC);
    if (shared < 0) {
        printf("open %s: %s\n", node, strerror(errno));
        return 2;
    }
    pthread_t t[64];
    for (int i = 0; i < threads && i < 64; i++)
        pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < threads && i < 64; i++)
        pthread_join(t[i], NULL);
    printf("%s: %d of %d threads failed\n", errors ? "FAILED" : "PASSED", errors, threads);
    return errors ? 1 : 0;
}
