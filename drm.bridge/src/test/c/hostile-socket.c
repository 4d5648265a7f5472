/*
 * Bad input from the socket side: malformed, truncated and oversized messages, unknown names,
 * ids and paths sent straight to the runtime's socket. Each gets an error answer (or the
 * connection closed), and a well-behaved use of the device through the library keeps working
 * in between. Usage: hostile-socket /dev/dri/renderDN (run under bin/kiln-exec).
 */
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "kiln-native-test.h"

static int raw(void) {
    int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", getenv("KILN_SOCKET"));
    if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
        close(s);
        return -1;
    }
    return s;
}

/* Sends one message and returns the REPLY's result, or 1 when the connection was closed instead. */
static int ask(int s, const void *message, size_t length) {
    uint8_t answer[256];
    if (send(s, message, length, MSG_NOSIGNAL) != (ssize_t)length)
        return 1;
    ssize_t n = recv(s, answer, sizeof answer, 0);
    if (n < 12 || *(uint32_t *)answer != 0x100)
        return 1;
    return *(int32_t *)(answer + 4);
}

static int still_works(int fd) {
    uint32_t h;
    return drmSyncobjCreate(fd, DRM_SYNCOBJ_CREATE_SIGNALED, &h) == 0
           && drmSyncobjWait(fd, &h, 1, 0, 0, NULL) == 0 && drmSyncobjDestroy(fd, h) == 0;
}

int main(int argc, char **argv) {
    const char *node = argc > 1 ? argv[1] : "/dev/dri/renderD128";
    int fd = open(node, O_RDWR);
    CHECK(fd >= 0 && still_works(fd), "a good file first: %s", strerror(errno));

    int s = raw();
    uint32_t junk[4] = {0xdeadbeef, 1, 2, 3};
    CHECK(ask(s, junk, sizeof junk) == -EINVAL, "an unknown first message");
    close(s);
    s = raw();
    CHECK(ask(s, junk, 2) == -EINVAL || ask(s, junk, 2) == 1, "a truncated first message");
    close(s);
    s = raw();
    uint8_t open_bad[64] = {0};
    *(uint32_t *)open_bad = 2;
    strcpy((char *)open_bad + 8, "/etc/passwd");
    CHECK(ask(s, open_bad, 8 + strlen("/etc/passwd")) == -ENOENT, "OPEN of a path that is no node");
    close(s);
    s = raw();
    uint32_t adopt[4] = {4, 0, 0x1234, 0x5678};
    CHECK(ask(s, adopt, sizeof adopt) == -EINVAL, "ADOPT of an id nobody made");
    close(s);

    /* a control connection, then bad requests on it */
    s = raw();
    uint32_t hello[2] = {1, 42};
    CHECK(ask(s, hello, sizeof hello) == 0, "HELLO");
    uint8_t request[128] = {0};
    *(uint32_t *)request = 3;
    CHECK(ask(s, request, 20) == -EINVAL, "a truncated IOCTL");
    uint32_t *r = (uint32_t *)request;
    r[1] = 0xC0106400; /* some _IOWR */
    r[2] = 20000;      /* larger than _IOC_SIZE can say */
    r[3] = 0;
    r[6] = 4;
    memcpy(request + 28, "nope", 4);
    CHECK(ask(s, request, 32) == -EINVAL, "an impossible struct size");
    r[2] = 16;
    r[3] = 16;
    CHECK(ask(s, request, 32) == -EINVAL, "a length that does not add up");
    r[3] = 0;
    CHECK(ask(s, request, 32) == -EBADF, "a file nobody holds");
    r[6] = 1000;
    CHECK(ask(s, request, 32) == -EINVAL, "an endpoint name longer than any");
    static uint8_t huge[200000];
    *(uint32_t *)huge = 3;
    CHECK(ask(s, huge, sizeof huge) == -EINVAL || ask(s, huge, sizeof huge) == 1, "a message larger than any");
    CHECK(ask(s, hello, sizeof hello) == -EINVAL, "HELLO again on a control connection");
    close(s);

    CHECK(still_works(fd), "the good file still works: %s", strerror(errno));
    close(fd);
    printf("%s: %d failed\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
