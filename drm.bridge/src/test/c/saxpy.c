/*
 * SAXPY on a Kiln GPU from C, through the asahi UAPI alone (as Mesa drives the real driver):
 * VM_CREATE, GEM_CREATE + GEM_BIND + mmap for the buffers and the program, QUEUE_CREATE, SUBMIT
 * with a syncobj out-sync and a result buffer, SYNCOBJ_WAIT; then every element and the result's
 * status checked in C. The program's machine code comes from a file (the test assembles it, as a
 * driver gets shaders from its compiler). Usage: saxpy NODE PROGRAM.bin
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kiln-native-test.h"

/* Kiln's asahi UAPI (agx.api's UapiStruct, AsahiIoctl): the structs and numbers this program uses. */
struct vm_create { uint64_t extensions; uint32_t vm_id, pad; };
struct gem_create { uint64_t extensions, size; uint32_t flags, vm_id, handle, pad; };
struct gem_mmap_offset { uint64_t extensions; uint32_t handle, flags; uint64_t offset; };
struct gem_bind { uint64_t extensions; uint32_t op, flags, handle, vm_id; uint64_t offset, range, addr; };
struct queue_create { uint64_t extensions; uint32_t flags, vm_id, queue_caps, priority, queue_id, pad; };
struct sync { uint64_t extensions; uint32_t sync_type, handle; uint64_t timeline_value; };
struct command {
    uint64_t extensions;
    uint32_t cmd_type, flags;
    uint64_t cmd_buffer, cmd_buffer_size, result_offset, result_size;
    uint32_t barriers[2];
};
struct submit {
    uint64_t extensions, in_syncs, out_syncs, commands;
    uint32_t flags, queue_id, result_handle, in_sync_count, out_sync_count, command_count;
};
struct cmd_compute {
    uint64_t flags, encoder_ptr, encoder_end, attachments;
    uint32_t attachment_count, pad;
    uint64_t buffer_descriptor;
    uint32_t buffer_descriptor_size, ctx_switch_prog, encoder_id, cmd_id, iogpu_unk_40, iogpu_unk_44;
};
#define VM_CREATE _IOWR('d', 0x41, struct vm_create)
#define GEM_CREATE _IOWR('d', 0x43, struct gem_create)
#define GEM_MMAP_OFFSET _IOWR('d', 0x44, struct gem_mmap_offset)
#define GEM_BIND _IOW('d', 0x45, struct gem_bind)
#define QUEUE_CREATE _IOWR('d', 0x46, struct queue_create)
#define SUBMIT _IOW('d', 0x48, struct submit)
#define VM_USER_START 0x2000000000ULL
#define VM_SHADER_START 0x1100000000ULL
#define PAGE 16384ULL
#define CMD_COMPUTE 2
#define QUEUE_CAP_COMPUTE 4
#define BARRIER_NONE 0xffffffffu
#define RESULT_COMPUTE_SIZE 56
#define LAUNCH_BYTES 48

static int fd;
static uint32_t vm;
static uint64_t next = VM_USER_START;

struct buffer {
    uint64_t va, size;
    uint32_t handle;
    void *cpu;
};

static struct buffer buffer(uint64_t size, uint32_t bind_flags, int shader) {
    struct buffer b = {.size = (size + PAGE - 1) / PAGE * PAGE};
    struct gem_create create = {.size = b.size};
    if (drmIoctl(fd, GEM_CREATE, &create) != 0) {
        printf("GEM_CREATE: %s\n", strerror(errno));
        exit(1);
    }
    b.handle = create.handle;
    b.va = shader ? VM_SHADER_START + (next - VM_USER_START) : next;
    struct gem_bind bind = {.op = 0, .flags = bind_flags, .handle = b.handle, .vm_id = vm, .range = b.size, .addr = b.va};
    struct gem_mmap_offset where = {.handle = b.handle};
    if (drmIoctl(fd, GEM_BIND, &bind) != 0 || drmIoctl(fd, GEM_MMAP_OFFSET, &where) != 0) {
        printf("GEM_BIND / MMAP_OFFSET: %s\n", strerror(errno));
        exit(1);
    }
    b.cpu = mmap(NULL, b.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, where.offset);
    if (b.cpu == MAP_FAILED) {
        printf("mmap: %s\n", strerror(errno));
        exit(1);
    }
    next += b.size + PAGE;
    return b;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        printf("usage: saxpy NODE PROGRAM.bin\n");
        return 2;
    }
    fd = open(argv[1], O_RDWR | O_CLOEXEC);
    int code_fd = open(argv[2], O_RDONLY);
    uint8_t code[65536];
    ssize_t code_size = code_fd < 0 ? -1 : read(code_fd, code, sizeof code);
    struct vm_create vmc = {0};
    CHECK(fd >= 0 && code_size > 0 && drmIoctl(fd, VM_CREATE, &vmc) == 0, "open / program / VM_CREATE: %s", strerror(errno));
    vm = vmc.vm_id;
    struct queue_create qc = {.vm_id = vm, .queue_caps = QUEUE_CAP_COMPUTE, .priority = 1};
    CHECK(drmIoctl(fd, QUEUE_CREATE, &qc) == 0, "QUEUE_CREATE: %s", strerror(errno));

    enum { N = 1 << 16 };
    const float a = 2.5f;
    struct buffer x = buffer(4 * N, 3, 0), y = buffer(4 * N, 3, 0), result = buffer(PAGE, 3, 0);
    float *xs = x.cpu, *ys = y.cpu, expected[N];
    uint32_t seed = 1;
    for (int i = 0; i < N; i++) {
        seed = seed * 1664525u + 1013904223u;
        xs[i] = (float)(seed >> 8) / 16777216.0f;
        seed = seed * 1664525u + 1013904223u;
        ys[i] = (float)(seed >> 8) / 16777216.0f;
        volatile float product = a * xs[i]; /* no fused multiply-add: the GPU rounds twice too */
        expected[i] = ys[i] + product;
    }
    struct buffer program = buffer((uint64_t)code_size, 1, 1);
    memcpy(program.cpu, code, code_size);
    struct buffer uniforms = buffer(24, 3, 0);
    uint32_t a_bits;
    memcpy(&a_bits, &a, 4);
    uint64_t *u = uniforms.cpu;
    u[0] = x.va;
    u[1] = y.va;
    u[2] = a_bits;
    struct buffer encoder = buffer(LAUNCH_BYTES, 3, 0);
    uint8_t *e = encoder.cpu;
    *(uint64_t *)(e + 0) = program.va;
    *(uint64_t *)(e + 8) = uniforms.va;
    *(uint32_t *)(e + 16) = 3;
    uint32_t grid[3] = {N / 64, 1, 1}, group[3] = {64, 1, 1};
    memcpy(e + 20, grid, sizeof grid);
    memcpy(e + 32, group, sizeof group);

    uint32_t done;
    CHECK(drmSyncobjCreate(fd, 0, &done) == 0, "syncobj");
    struct cmd_compute compute = {.encoder_ptr = encoder.va, .encoder_end = encoder.va + LAUNCH_BYTES};
    struct command command = {.cmd_type = CMD_COMPUTE, .cmd_buffer = (uint64_t)(uintptr_t)&compute,
                              .cmd_buffer_size = sizeof compute, .result_offset = 0,
                              .result_size = RESULT_COMPUTE_SIZE, .barriers = {BARRIER_NONE, BARRIER_NONE}};
    struct sync out = {.sync_type = 0, .handle = done};
    struct submit submit = {.out_syncs = (uint64_t)(uintptr_t)&out, .commands = (uint64_t)(uintptr_t)&command,
                            .queue_id = qc.queue_id, .result_handle = result.handle, .out_sync_count = 1,
                            .command_count = 1};
    CHECK(drmIoctl(fd, SUBMIT, &submit) == 0, "SUBMIT: %s", strerror(errno));
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t deadline = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec + 30LL * 1000000000;
    CHECK(drmSyncobjWait(fd, &done, 1, deadline, 0, NULL) == 0, "the job completes");

    int wrong = 0;
    for (int i = 0; i < N; i++)
        wrong += memcmp(&ys[i], &expected[i], 4) != 0;
    CHECK(wrong == 0, "%d of %d elements wrong (first: %g, expected %g)", wrong, N, ys[0], expected[0]);
    CHECK(*(uint32_t *)result.cpu == 1, "result status %u", *(uint32_t *)result.cpu); /* STATUS_COMPLETE */
    printf("%s: %d failed (%d floats, y = 2.5 x + y)\n", failures ? "FAILED" : "PASSED", failures, N);
    return failures ? 1 : 0;
}
