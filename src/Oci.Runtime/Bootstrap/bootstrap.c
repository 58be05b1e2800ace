/*
 * The early bootstrap of `oci-run init`.
 *
 * A .NET process is multithreaded before Main runs, and the kernel refuses setns() into a mount or user namespace
 * and unshare(CLONE_NEWUSER) to a multithreaded process. This constructor runs before the .NET runtime starts, while
 * the process still has one thread. When the environment names a bootstrap socket it reads a compact message from
 * the runtime, joins and creates the container's namespaces, forks (so that the child is inside a new PID and time
 * namespace), reports the child's pid and exits; the child returns from here and starts .NET inside the namespaces.
 *
 * Message from the runtime: records of { uint32 type; uint32 length; uint8 data[length]; }, ending with BS_END.
 * Replies to the runtime use the same framing (BS_USERNS_READY, BS_CHILD_PID, BS_ERROR).
 *
 * Keep this file small: everything that can run in managed code does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define BOOTSTRAP_FD_ENV "_OCI_RUN_BOOTSTRAP_FD"
#define MAX_NAMESPACE_PATHS 16
#define MAX_RECORD 65536

enum record_type {
    BS_END = 0,
    BS_CLONE_FLAGS = 1,      /* uint32: namespaces to create */
    BS_NAMESPACE_PATH = 2,   /* uint32 clone flag of the namespace, then the path (not NUL-terminated) */
    BS_TIMENS_OFFSETS = 3,   /* text written to /proc/self/timens_offsets */
    BS_USERNS_READY = 16,    /* reply: the user namespace exists, write its id maps now */
    BS_USERNS_MAPPED = 17,   /* request: the maps are written */
    BS_CHILD_PID = 18,       /* reply: uint32 pid of the container's init, in the runtime's PID namespace */
    BS_ERROR = 19,           /* reply: text of the error; the bootstrap exits */
};

static int bootstrap_fd = -1;

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void send_record(uint32_t type, const void *data, uint32_t len)
{
    uint32_t header[2] = { type, len };
    if (write_all(bootstrap_fd, header, sizeof(header)) == 0 && len > 0)
        write_all(bootstrap_fd, data, len);
}

/* Reports an error to the runtime and ends this process: nothing of the container exists yet but namespaces,
 * which vanish with it. */
__attribute__((noreturn, format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
    char message[512];
    int saved = errno;
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(message, sizeof(message), fmt, args);
    va_end(args);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof(message))
        n = sizeof(message) - 1;
    if (saved != 0)
        n += snprintf(message + n, sizeof(message) - (size_t)n, ": %s", strerror(saved));
    if ((size_t)n >= sizeof(message))
        n = sizeof(message) - 1;
    send_record(BS_ERROR, message, (uint32_t)n);
    _exit(1);
}

static const char *namespace_name(uint32_t flag)
{
    switch (flag) {
    case CLONE_NEWUSER: return "user";
    case CLONE_NEWNS: return "mount";
    case CLONE_NEWPID: return "pid";
    case CLONE_NEWNET: return "network";
    case CLONE_NEWIPC: return "ipc";
    case CLONE_NEWUTS: return "uts";
    case CLONE_NEWCGROUP: return "cgroup";
    case CLONE_NEWTIME: return "time";
    default: return "unknown";
    }
}

struct namespace_path {
    uint32_t flag;
    int fd;
    char path[4096];
};

__attribute__((constructor)) static void oci_run_bootstrap(void)
{
    const char *fd_text = getenv(BOOTSTRAP_FD_ENV);
    if (fd_text == NULL)
        return;
    bootstrap_fd = atoi(fd_text);
    /* The managed init finds the socket through this variable; the container's own environment comes from
     * config.json, so the variable never reaches the user's process. */

    /* Non-dumpable from here until the user's program is executed (execve makes the process dumpable again): a
     * process of the container, even as root with the same ids, must not ptrace this one, read its memory or open
     * its descriptors through /proc while it holds the runtime's (CVE-2016-9962). The flag is inherited by fork, so
     * the init below starts with it. (oci-run's prestart.c sets it too, in case its constructor runs first.) */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        fail("bootstrap: becoming non-dumpable");

    uint32_t clone_flags = 0;
    struct namespace_path joins[MAX_NAMESPACE_PATHS];
    size_t join_count = 0;
    static char timens_offsets[MAX_RECORD];
    uint32_t timens_offsets_len = 0;

    for (;;) {
        uint32_t header[2];
        if (read_all(bootstrap_fd, header, sizeof(header)) < 0)
            fail("bootstrap: reading the message");
        uint32_t type = header[0], len = header[1];
        if (type == BS_END)
            break;
        if (len > MAX_RECORD)
            fail("bootstrap: record %u too long (%u bytes)", type, len);
        static char data[MAX_RECORD + 1];
        if (len > 0 && read_all(bootstrap_fd, data, len) < 0)
            fail("bootstrap: reading record %u", type);
        data[len] = '\0';
        switch (type) {
        case BS_CLONE_FLAGS:
            if (len != sizeof(uint32_t))
                fail("bootstrap: malformed clone flags");
            memcpy(&clone_flags, data, sizeof(uint32_t));
            break;
        case BS_NAMESPACE_PATH:
            if (len <= sizeof(uint32_t) || len - sizeof(uint32_t) >= sizeof(joins[0].path))
                fail("bootstrap: malformed namespace path");
            if (join_count == MAX_NAMESPACE_PATHS)
                fail("bootstrap: too many namespace paths");
            memcpy(&joins[join_count].flag, data, sizeof(uint32_t));
            memcpy(joins[join_count].path, data + sizeof(uint32_t), len - sizeof(uint32_t) + 1);
            join_count++;
            break;
        case BS_TIMENS_OFFSETS:
            memcpy(timens_offsets, data, len);
            timens_offsets_len = len;
            break;
        default:
            fail("bootstrap: unknown record type %u", type);
        }
    }

    /* Open every namespace first: once the mount namespace is joined, the paths may no longer resolve. */
    for (size_t i = 0; i < join_count; i++) {
        joins[i].fd = open(joins[i].path, O_RDONLY | O_CLOEXEC);
        if (joins[i].fd < 0)
            fail("linux.namespaces: %s namespace path %s", namespace_name(joins[i].flag), joins[i].path);
    }
    /* The runtime orders the paths so that a user namespace comes first: joining it grants the privileges that
     * joining the others needs. */
    for (size_t i = 0; i < join_count; i++) {
        if (setns(joins[i].fd, (int)joins[i].flag) < 0)
            fail("linux.namespaces: joining %s namespace %s", namespace_name(joins[i].flag), joins[i].path);
        close(joins[i].fd);
    }

    if (clone_flags & CLONE_NEWUSER) {
        /* A non-dumpable process's /proc files belong to root: a runtime that is not root could not open our
         * uid_map and gid_map. Such a runtime gets them dumpable only while it writes them, as runc does; nothing of
         * the container runs yet, and the namespaces joined so far are ones the runtime already holds. Decided
         * before unshare, which leaves this process unmapped until the maps are written. */
        int runtime_is_root = geteuid() == 0;
        if (unshare(CLONE_NEWUSER) < 0)
            fail("linux.namespaces: creating the user namespace");
        if (!runtime_is_root && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
            fail("bootstrap: making the id maps writable by the runtime");
        /* Only a process privileged in the parent namespace may write arbitrary id maps: ask the runtime. */
        send_record(BS_USERNS_READY, NULL, 0);
        uint32_t header[2];
        if (read_all(bootstrap_fd, header, sizeof(header)) < 0 || header[0] != BS_USERNS_MAPPED)
            fail("bootstrap: waiting for the id maps");
        if (!runtime_is_root && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
            fail("bootstrap: becoming non-dumpable again after the id maps");
        if (header[1] != 0) {
            errno = 0;
            fail("bootstrap: writing the id maps failed in the runtime");
        }
        if (setresgid(0, 0, 0) < 0)
            fail("linux.gidMappings: becoming gid 0 in the user namespace (is container gid 0 mapped?)");
        if (setresuid(0, 0, 0) < 0)
            fail("linux.uidMappings: becoming uid 0 in the user namespace (is container uid 0 mapped?)");
    }

    uint32_t rest = clone_flags & ~(uint32_t)CLONE_NEWUSER;
    if (rest != 0 && unshare((int)rest) < 0)
        fail("linux.namespaces: creating namespaces (flags 0x%x)", rest);

    if ((clone_flags & CLONE_NEWTIME) && timens_offsets_len > 0) {
        int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write_all(fd, timens_offsets, timens_offsets_len) < 0)
            fail("linux.timeOffsets: writing /proc/self/timens_offsets");
        close(fd);
    }

    /* New PID and time namespaces take effect for children only. The runtime is a child subreaper, so the child
     * is re-parented to it when this process exits, and from it to the runtime's own caller. */
    pid_t child = fork();
    if (child < 0)
        fail("bootstrap: fork");
    if (child == 0) {
        /* Every init and exec'd process leads a session of its own, as with runc: it is out of the caller's
         * process group (a foreground run's terminal signals reach it only through the runtime's forwarding) and
         * can take a terminal as its controlling one. setsid() keeps the parent: init stays a descendant of the
         * caller. A new child is never a process group leader, so this cannot fail; should it, init exits and
         * the runtime sees end-of-file on the socket instead of a second writer on it. */
        if (setsid() < 0)
            _exit(1);
        return;
    }
    uint32_t pid = (uint32_t)child;
    send_record(BS_CHILD_PID, &pid, sizeof(pid));
    _exit(0);
}
