/*
 * Starts the container's init ahead, in the `oci-run` command's own process, before the .NET runtime starts.
 *
 * create, run and exec re-execute this binary as the container's init (Oci.Runtime's bootstrap.c), which then waits
 * for its message. Executing a dynamically linked program costs most of a millisecond on a virtual machine (the
 * dynamic loader, and glibc's CPU feature and cache probing, whose CPUID instructions each exit to the hypervisor);
 * started from the managed runtime, that time followed the .NET runtime's own start-up and the runtime waited for it.
 * Started here, it overlaps that start-up. The managed runtime takes the waiting init over from the environment
 * variable _OCI_RUN_PRESTARTED ("PID FD") and ends it when no command uses it. Anything that fails here only means
 * no head start: the managed runtime then starts init itself.
 *
 * The binary is executed the same way as from managed code (Oci.Runtime's SealedBinary): through a detached,
 * read-only clone of its mount made with open_tree(2), so that the container can never write to it (CVE-2019-5736).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BOOTSTRAP_FD_ENV "_OCI_RUN_BOOTSTRAP_FD"
#define PRESTARTED_ENV "_OCI_RUN_PRESTARTED"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#define MOUNT_ATTR_RDONLY_ 0x1
#define MOUNT_ATTR_NOSUID_ 0x2
#define MOUNT_ATTR_NODEV_ 0x4

struct mount_attr_ {
    unsigned long long attr_set, attr_clr, propagation, userns_fd;
};

/* Whether the command line names a command that starts an init. A container id or an argument that happens to be
 * one of these words only costs a process that is ended unused. */
static int starts_init(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "create") == 0 || strcmp(argv[i], "run") == 0 || strcmp(argv[i], "exec") == 0)
            return 1;
    return 0;
}

/* The highest open descriptor: init's socket goes above it, so that it never takes the number of a descriptor the
 * caller passes to the container (--preserve-fds), whatever their count. */
static int highest_open_fd(void)
{
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL)
        return -1;
    int highest = 2;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        int fd = atoi(entry->d_name);
        if (fd > highest)
            highest = fd;
    }
    closedir(dir);
    return highest;
}

/* A close-on-exec descriptor of a read-only, detached clone of this binary's mount, or -1. */
static int sealed_binary(void)
{
    int fd = (int)syscall(SYS_open_tree, AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct mount_attr_ attr = { .attr_set = MOUNT_ATTR_RDONLY_ | MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NODEV_ };
    if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

__attribute__((constructor)) static void oci_run_prestart(int argc, char **argv)
{
    /* Never trust a value from the caller's environment: only this constructor sets it. */
    unsetenv(PRESTARTED_ENV);
    if (getenv(BOOTSTRAP_FD_ENV) != NULL) {
        /* This process is a container's init (Oci.Runtime's bootstrap.c): non-dumpable from its first constructor,
         * whichever of the two runs first (bootstrap.c sets it as well, and fails the init if it cannot). */
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        return;
    }
    if (argv == NULL || !starts_init(argc, argv))
        return;

    int sockets[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) < 0)
        return;
    /* With a standard descriptor closed, the runtime's end could take its number: keep it above them. */
    if (sockets[0] < 3) {
        int moved = fcntl(sockets[0], F_DUPFD_CLOEXEC, 3);
        close(sockets[0]);
        if (moved < 0) {
            close(sockets[1]);
            return;
        }
        sockets[0] = moved;
    }
    int binary = -1, highest = highest_open_fd();
    pid_t pid = -1;
    if (highest < 0 || (binary = sealed_binary()) < 0)
        goto out;

    int target = highest + 1;
    char path[64], variable[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", binary);
    snprintf(variable, sizeof(variable), BOOTSTRAP_FD_ENV "=%d", target);
    char *child_argv[] = { "oci-run", "init", NULL };
    char *child_env[] = { variable, NULL };

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_adddup2(&actions, sockets[1], target);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    if (posix_spawn(&pid, path, &actions, &attributes, child_argv, child_env) != 0)
        pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);

out:
    if (binary >= 0)
        close(binary);
    close(sockets[1]);
    if (pid <= 0) {
        close(sockets[0]);
        return;
    }
    char value[64];
    snprintf(value, sizeof(value), "%d %d", (int)pid, sockets[0]);
    setenv(PRESTARTED_ENV, value, 1);
}
