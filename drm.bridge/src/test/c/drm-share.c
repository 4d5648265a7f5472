/*
 * Files Kiln hands out as descriptors of the program's own: syncobj fds and sync files exported,
 * imported back, passed to a forked child that signals through the parent's DRM file.
 * Usage: drm-share /dev/dri/renderDN. Exits 0 when every check passed.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kiln-native-test.h"

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "--child") == 0) {
        /* exec'd with a DRM file inherited: the new program's library finds it by itself */
        drmVersion *v = drmGetVersion(atoi(argv[2]));
        return v && strcmp(v->name, "asahi") == 0 ? 0 : 4;
    }
    const char *path = argc > 1 ? argv[1] : "/dev/dri/renderD128";
    int fd = open(path, O_RDWR | O_CLOEXEC);
    CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
    if (fd < 0)
        return 1;

    uint32_t a, b, c;
    CHECK(drmSyncobjCreate(fd, 0, &a) == 0 && drmSyncobjCreate(fd, 0, &c) == 0, "create");
    int exported = -1;
    CHECK(drmSyncobjHandleToFD(fd, a, &exported) == 0 && exported >= 0 && exported != fd, "export: %s", strerror(errno));
    CHECK((fcntl(exported, F_GETFD) & FD_CLOEXEC) != 0, "a syncobj fd is close-on-exec, as the kernel makes it");
    char link[64], target[128];
    snprintf(link, sizeof link, "/proc/self/fd/%d", exported);
    ssize_t n = readlink(link, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    CHECK(strcmp(target, "anon_inode:syncobj") == 0, "readlink gave '%s'", target);
    CHECK(drmSyncobjFDToHandle(fd, exported, &b) == 0 && b != a, "import: %s", strerror(errno));

    /* a child inherits the DRM file and the syncobj fd, and signals through them */
    pid_t child = fork();
    if (child == 0) {
        uint32_t mine;
        int ok = drmSyncobjFDToHandle(fd, exported, &mine) == 0 && drmSyncobjSignal(fd, &mine, 1) == 0;
        _exit(ok ? 0 : 3);
    }
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child failed: status 0x%x", status);
    CHECK(drmSyncobjWait(fd, &b, 1, 0, 0, NULL) == 0, "what the child signalled is seen through the import");

    /* exec of a child that inherits a DRM file (no O_CLOEXEC) */
    int inherited = open(path, O_RDWR);
    pid_t execd = fork();
    if (execd == 0) {
        char number[16];
        snprintf(number, sizeof number, "%d", inherited);
        execl("/proc/self/exe", argv[0], "--child", number, (char *)NULL);
        _exit(5);
    }
    waitpid(execd, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the exec'd child could not use its inherited file: 0x%x", status);
    close(inherited);

    int sync_file = -1;
    CHECK(drmSyncobjExportSyncFile(fd, a, &sync_file) == 0 && sync_file >= 0, "export sync file: %s", strerror(errno));
    snprintf(link, sizeof link, "/proc/self/fd/%d", sync_file);
    n = readlink(link, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    CHECK(strcmp(target, "anon_inode:sync_file") == 0, "readlink gave '%s'", target);
    CHECK(drmSyncobjImportSyncFile(fd, c, sync_file) == 0, "import sync file: %s", strerror(errno));
    CHECK(drmSyncobjWait(fd, &c, 1, 0, 0, NULL) == 0, "the imported fence is signalled");

    uint32_t none;
    int null_fd = open("/dev/null", O_RDONLY);
    CHECK(drmSyncobjFDToHandle(fd, null_fd, &none) == -1 && errno == EINVAL, "not a syncobj: errno %d", errno);
    CHECK(drmSyncobjFDToHandle(fd, 987, &none) == -1 && errno == EINVAL, "not open: errno %d", errno);
    CHECK(drmSyncobjFDToHandle(fd, fd, &none) == -1 && errno == EINVAL, "a DRM file: errno %d", errno);
    close(null_fd);
    close(exported);
    close(sync_file);
    close(fd);
    printf("%s: %d failed\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
