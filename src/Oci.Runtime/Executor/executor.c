/*
 * oci-run's executor: the container's init (and every exec'd process) until it executes the user's program.
 *
 * It runs a plan the library computed (plan.def describes the wire format) and decides nothing: each step is one
 * system call or one job of a fixed shape (run a hook, copy a tree, try exec candidates in order). A failed step is
 * reported as (step, errno) and the library words the error. Built static against musl, so that starting it costs
 * no loader or libc probing; single-threaded; non-dumpable from its first instruction; no JSON, no policy.
 *
 * Usage: executor FD   (FD: the SOCK_SEQPACKET socket to the runtime)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>

/* The few kernel ABI structures used here, declared locally: musl's toolchain ships no kernel headers. */
struct cap_header { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };
#define CAP_VERSION_3 0x20080522
struct sock_filter { uint16_t code; uint8_t jt, jf; uint32_t k; };
struct sock_fprog { unsigned short len; struct sock_filter *filter; };
#define SECCOMP_SET_MODE_FILTER 1
/* clone3(2)'s arguments up to `cgroup` (CLONE_ARGS_SIZE_VER2). */
struct clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define CLONE_INTO_CGROUP 0x200000000ULL
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

enum op {
#define OP(name, code, ints, strs) OP_##name = code,
#define MSG(name, code)
#include "plan.def"
#undef OP
#undef MSG
};
enum msg {
#define OP(name, code, ints, strs)
#define MSG(name, code) MSG_##name = code,
#include "plan.def"
#undef OP
#undef MSG
};

static int arity(uint32_t op, int *strs)
{
    switch (op) {
#define OP(name, code, ints, s) case code: *strs = s; return ints;
#define MSG(name, code)
#include "plan.def"
#undef OP
#undef MSG
    }
    return -2;
}

#define SLOTS 64
#define MAX_MESSAGE (512 * 1024)
#define MAX_ITEMS 256

static int sock = -1;
static int report_fd = -1;
static int slot[SLOTS];
static uint32_t current_step;

struct str { const char *p; uint32_t len; };
static int64_t ints[MAX_ITEMS];
static struct str strs[MAX_ITEMS];
static uint32_t nints, nstrs;
/* The current step's strings, each followed by a NUL: copied out of the message, where each is followed by the
 * next one's length. One static buffer, not a malloc per string: musl's allocator hands an emptied page back to
 * the kernel at once, and a plan's hundred strings cost as many mmap/munmap pairs and page faults. */
static char step_text[MAX_MESSAGE + MAX_ITEMS];
static int received_fds[SLOTS];
static int nreceived;

/* The argv, env and exec candidates collected by PUSH, NULL-terminated. */
static char **lists[3];
static size_t list_len[3], list_cap[3];

/* Whether the runtime still reads this executor's reports (until an ALONE step). */
static int runtime_reads = 1;

/* Sends a report; false when it could not be sent (the runtime is gone). */
static int send_message(uint32_t type, int32_t value, const char *text, size_t text_len, const int *fds, int nfds)
{
    uint32_t header[3] = { type, current_step, (uint32_t)value };
    struct iovec iov[2] = { { header, sizeof(header) }, { (void *)text, text_len } };
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = text_len ? 2 : 1 };
    char control[CMSG_SPACE(sizeof(int) * SLOTS)];
    if (nfds > 0) {
        memset(control, 0, sizeof(control));
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
    }
    long sent;
    while ((sent = sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    return sent >= 0;
}

/* Reports (step, errno) and ends. With the runtime gone (after `create` returned), the plan's last steps have no
 * one to report to: stderr is the container's, as it is for the program itself. */
__attribute__((noreturn)) static void fail(int err, const char *what)
{
    size_t len = what ? strlen(what) : 0;
    int reported = send_message(MSG_ERROR, err, what, len, NULL, 0) && runtime_reads;
    /* errno 0: `what` is the whole message (a hook's failure, worded here because no one may be listening). */
    /* Formatted here and written with write(2) alone: under a seccomp filter that allows the program's write but
     * not writev (what stdio's dprintf uses), the failure must still reach start. */
    static char text[4096 + 1024];
    int n;
    if (report_fd >= 0) {
        if (err != 0)
            n = snprintf(text, sizeof(text), "1step %u%s%s: %s", current_step, len ? ": " : "", len ? what : "", strerror(err));
        else
            n = snprintf(text, sizeof(text), "1%s", what ? what : "failed");
        if (n > 0)
            (void)!write(report_fd, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
    }
    /* The runtime words a report it reads as the config's field: a second line here would only repeat it. */
    if (err != 0 && !reported) {
        n = snprintf(text, sizeof(text), "oci-run: step %u%s%s: %s\n", current_step, len ? ": " : "", len ? what : "", strerror(err));
        if (n > 0)
            (void)!write(2, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
    }
    /* Under a seccomp filter that denies exit_group (and exit, which _exit would retry for ever), a fault ends the
     * process without a system call. */
    syscall(SYS_exit_group, err == 0 ? 1 : 127);
    __builtin_trap();
}

static int check(long result, const char *what)
{
    if (result < 0)
        fail(errno, what);
    return (int)result;
}

/* The descriptor in slot i, or AT_FDCWD for -1. */
static int dir_of(int64_t i)
{
    if (i == -1)
        return AT_FDCWD;
    if (i < 0 || i >= SLOTS || slot[i] < 0)
        fail(EBADF, "slot");
    return slot[i];
}

static int fd_of(int64_t i)
{
    if (i < 0 || i >= SLOTS || slot[i] < 0)
        fail(EBADF, "slot");
    return slot[i];
}

static void put(int64_t i, int fd)
{
    if (i < 0 || i >= SLOTS)
        fail(EBADF, "slot");
    if (slot[i] >= 0)
        close(slot[i]);
    slot[i] = fd;
}

/* The current step's string i, NUL-terminated (its copy in step_text, made when the step was read). */
static char *cstr(uint32_t i)
{
    return (char *)strs[i].p;
}

static char *cstr_or_null(uint32_t i)
{
    return strs[i].len == 0 ? NULL : cstr(i);
}

/* A copy that outlives the step: the argv, env and exec candidates that PUSH collects for a later step. */
static char *keep(uint32_t i)
{
    char *s = malloc(strs[i].len + 1);
    if (!s)
        fail(ENOMEM, "malloc");
    memcpy(s, strs[i].p, strs[i].len + 1);
    return s;
}

static char proc_path_buf[2][32];
static const char *proc_path(int which, int fd)
{
    snprintf(proc_path_buf[which], sizeof(proc_path_buf[which]), "/proc/self/fd/%d", fd);
    return proc_path_buf[which];
}

static void push(int list, char *s)
{
    if (list_len[list] + 2 > list_cap[list]) {
        size_t cap = list_cap[list] ? list_cap[list] * 2 : 16;
        char **grown = realloc(lists[list], cap * sizeof(char *));
        if (!grown)
            fail(ENOMEM, "realloc");
        lists[list] = grown;
        list_cap[list] = cap;
    }
    lists[list][list_len[list]++] = s;
    lists[list][list_len[list]] = NULL;
}

static void clear_list(int list)
{
    for (size_t i = 0; i < list_len[list]; i++)
        free(lists[list][i]);
    list_len[list] = 0;
    if (lists[list])
        lists[list][0] = NULL;
}

static char **list_or_empty(int list)
{
    static char *empty[1] = { NULL };
    return list_len[list] ? lists[list] : empty;
}

/* The message being run: the runtime packs consecutive steps into one message (a plan's segment ends where the
 * executor must wait for the runtime), and the descriptors it carries go, in order, to its FDS steps. */
static char message[MAX_MESSAGE];
static size_t message_len, message_at;
static int next_fd;

/* Reads the next message; returns 0 at end of stream. */
static int read_message(void)
{
    char control[CMSG_SPACE(sizeof(int) * SLOTS)];
    struct iovec iov = { message, sizeof(message) };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control) };
    ssize_t n;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        fail(errno, "reading the plan");
    nreceived = 0;
    next_fd = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < count && nreceived < SLOTS; i++)
            memcpy(&received_fds[nreceived++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
    }
    if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
        fail(EMSGSIZE, "plan message too large");
    message_len = (size_t)n;
    message_at = 0;
    return n > 0;
}

/* Parses the next step of the message; returns its op, or 0 when the message is used up. */
static int read_step(void)
{
    if (message_at == message_len)
        return 0;
    uint32_t header[4];
    size_t left = message_len - message_at;
    const char *p = message + message_at;
    if (left < sizeof(header))
        fail(EPROTO, "truncated plan step");
    memcpy(header, p, sizeof(header));
    current_step = header[1];
    nints = header[2];
    nstrs = header[3];
    int want_strs, want_ints = arity(header[0], &want_strs);
    if (want_ints == -2)
        fail(EPROTO, "unknown plan step");
    if (nints > MAX_ITEMS || nstrs > MAX_ITEMS || (want_ints >= 0 && nints != (uint32_t)want_ints) ||
        (want_strs >= 0 && nstrs != (uint32_t)want_strs))
        fail(EPROTO, "malformed plan step");
    size_t at = sizeof(header);
    if (left - at < (size_t)nints * 8)
        fail(EPROTO, "truncated plan step");
    memcpy(ints, p + at, (size_t)nints * 8);
    at += (size_t)nints * 8;
    for (uint32_t i = 0; i < nstrs; i++) {
        uint32_t len;
        if (left - at < 4)
            fail(EPROTO, "truncated plan step");
        memcpy(&len, p + at, 4);
        at += 4;
        if (left - at < len)
            fail(EPROTO, "truncated plan step");
        strs[i].p = p + at;
        strs[i].len = len;
        at += len;
    }
    /* Copied only once the whole step is known to be in the message: the copy's total is then at most its size. */
    char *text = step_text;
    for (uint32_t i = 0; i < nstrs; i++) {
        memcpy(text, strs[i].p, strs[i].len);
        text[strs[i].len] = '\0';
        strs[i].p = text;
        text += strs[i].len + 1;
    }
    message_at += at;
    return (int)header[0];
}

static int write_all(int fd, const char *p, size_t len)
{
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

/* A hook: its state on stdin, its output kept for the error, the given working directory, killed at the timeout. */
static void run_hook(void)
{
    char *path = cstr(0), *cwd = cstr_or_null(1), *label = cstr(3);
    int in[2];
    check(pipe2(in, O_CLOEXEC), "hook: pipe");
    int out = check(syscall(SYS_memfd_create, "hook-output", 1 /* MFD_CLOEXEC */), "hook: memfd_create");
    pid_t pid = check(fork(), "hook: fork");
    if (pid == 0) {
        if (dup2(in[0], 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0 || (cwd && chdir(cwd) < 0))
            _exit(127);
        execve(path, list_or_empty(1), list_or_empty(2));
        _exit(127);
    }
    close(in[0]);
    write_all(in[1], strs[2].p, strs[2].len); /* a hook that does not read its stdin is fine */
    close(in[1]);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), timed_out = 0;
    int timeout = ints[0] > 0 ? (int)ints[0] : -1;
    if (pidfd >= 0) {
        struct pollfd p = { pidfd, POLLIN, 0 };
        int r;
        do
            r = poll(&p, 1, timeout);
        while (r < 0 && errno == EINTR);
        if (r == 0) {
            kill(pid, SIGKILL);
            timed_out = 1;
        }
        close(pidfd);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    clear_list(1);
    clear_list(2);
    if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        static char text[4096 + 512];
        char output[4096];
        ssize_t n = pread(out, output, sizeof(output) - 1, 0);
        output[n > 0 ? n : 0] = '\0';
        while (n > 0 && (output[n - 1] == '\n' || output[n - 1] == ' '))
            output[--n] = '\0';
        if (timed_out)
            snprintf(text, sizeof(text), "%s: %s did not finish within its timeout of %llds and was killed", label, path, (long long)ints[0] / 1000);
        else if (WIFEXITED(status))
            snprintf(text, sizeof(text), "%s: %s failed with exit status %d%s%s", label, path, WEXITSTATUS(status), n > 0 ? ": " : "", output);
        else
            snprintf(text, sizeof(text), "%s: %s failed with signal %d%s%s", label, path, WTERMSIG(status), n > 0 ? ": " : "", output);
        fail(0, text);
    }
    close(out);
}

/* tmpcopyup's copy: walks by descriptor, never by path, and never follows a symlink. */
static void copy_tree(int from, int to, int depth)
{
    if (depth > 128)
        fail(ELOOP, "copying a tree");
    int dup_from = check(openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), "copying a tree");
    DIR *dir = fdopendir(dup_from);
    if (!dir)
        fail(errno, "copying a tree");
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        struct stat st;
        check(fstatat(from, e->d_name, &st, AT_SYMLINK_NOFOLLOW), "copying a tree");
        if (S_ISDIR(st.st_mode)) {
            if (mkdirat(to, e->d_name, st.st_mode & 07777) < 0 && errno != EEXIST)
                fail(errno, "copying a tree");
            int a = check(openat(from, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), "copying a tree");
            int b = check(openat(to, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), "copying a tree");
            copy_tree(a, b, depth + 1);
            fchown(b, st.st_uid, st.st_gid);
            fchmod(b, st.st_mode & 07777);
            close(a);
            close(b);
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t n = check(readlinkat(from, e->d_name, target, sizeof(target) - 1), "copying a tree");
            target[n] = '\0';
            check(symlinkat(target, to, e->d_name), "copying a tree");
            fchownat(to, e->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
        } else if (S_ISREG(st.st_mode)) {
            int a = check(openat(from, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), "copying a tree");
            int b = check(openat(to, e->d_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777), "copying a tree");
            char chunk[16384];
            ssize_t n;
            while ((n = read(a, chunk, sizeof(chunk))) > 0)
                if (write_all(b, chunk, (size_t)n) < 0)
                    fail(errno, "copying a tree");
            if (n < 0)
                fail(errno, "copying a tree");
            fchown(b, st.st_uid, st.st_gid);
            fchmod(b, st.st_mode & 07777);
            close(a);
            close(b);
        } else {
            check(mknodat(to, e->d_name, st.st_mode, st.st_rdev), "copying a tree");
            fchownat(to, e->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
            fchmodat(to, e->d_name, st.st_mode & 07777, 0); /* mknod applied the umask */
        }
    }
    closedir(dir);
}

struct open_how_v0 { uint64_t flags, mode, resolve; };

/* statx(2)'s mount id of a descriptor, and whether it is the root of its mount (offsets of struct statx). */
static int mount_identity(int fd, uint64_t *id)
{
    unsigned char buffer[256];
    uint64_t attributes;
    check(syscall(SYS_statx, fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, 0x1000 /* STATX_MNT_ID */, buffer), "statx");
    memcpy(&attributes, buffer + 8, sizeof(attributes));
    memcpy(id, buffer + 144, sizeof(*id));
    return (attributes & 0x2000 /* STATX_ATTR_MOUNT_ROOT */) != 0;
}
#define RESOLVE_IN_ROOT 0x10

/* MKPATH: makes what is missing of a path inside the root, as the kernel would resolve it with the root as "/":
 * each component is made in its parent, looked up anew with RESOLVE_IN_ROOT; a symlink on the way is read and its
 * target walked in its place (a dangling one gets its target made inside the root, never outside). */
static int open_in_root(int root, const char *path)
{
    struct open_how_v0 how = { O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_IN_ROOT };
    return (int)syscall(SYS_openat2, root, path[0] ? path : ".", &how, sizeof(how));
}

static void make_path(int root, mode_t mode, int last_is_file)
{
    static char pending[8192], resolved[8192], rest[8192];
    char *path = cstr(0);
    if (strlen(path) >= sizeof(pending))
        fail(ENAMETOOLONG, path);
    strcpy(pending, path);
    resolved[0] = '\0';
    int links = 0;
    for (;;) {
        char *p = pending;
        while (*p == '/')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, "/");
        char name[256];
        if (n >= sizeof(name))
            fail(ENAMETOOLONG, path);
        memcpy(name, p, n);
        name[n] = '\0';
        memmove(pending, p + n, strlen(p + n) + 1);
        const char *after = pending;
        while (*after == '/')
            after++;
        int last = *after == '\0';
        if (!strcmp(name, "."))
            continue;
        if (!strcmp(name, "..")) {
            char *slash = strrchr(resolved, '/');
            if (slash)
                *slash = '\0';
            else
                resolved[0] = '\0';
            continue;
        }
        int parent = open_in_root(root, resolved);
        if (parent < 0)
            fail(errno, path);
        char target[4096];
        ssize_t t = readlinkat(parent, name, target, sizeof(target) - 1);
        if (t >= 0) {
            close(parent);
            if (++links > 40)
                fail(ELOOP, path);
            target[t] = '\0';
            if ((size_t)snprintf(rest, sizeof(rest), "%s/%s", target, pending) >= sizeof(rest))
                fail(ENAMETOOLONG, path);
            strcpy(pending, rest);
            if (target[0] == '/')
                resolved[0] = '\0';
            continue;
        }
        int r;
        if (last && last_is_file) {
            r = openat(parent, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
            if (r >= 0)
                close(r);
            else if (errno == EISDIR || errno == EEXIST)
                r = 0; /* what it is, is checked where it is used */
        } else {
            r = mkdirat(parent, name, mode);
            if (r < 0 && errno == EEXIST)
                r = 0;
        }
        close(parent);
        if (r < 0)
            fail(errno, path);
        size_t used = strlen(resolved);
        if (used + n + 2 >= sizeof(resolved))
            fail(ENAMETOOLONG, path);
        if (used)
            resolved[used++] = '/';
        strcpy(resolved + used, name);
    }
}

struct sched_attr_v1 {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t util_min, util_max;
};

static void step(int op)
{
    switch (op) {
    case OP_FDS:
        if ((uint32_t)(nreceived - next_fd) < nints)
            fail(EPROTO, "descriptor count");
        for (uint32_t i = 0; i < nints; i++)
            put(ints[i], received_fds[next_fd++]);
        break;
    case OP_CLOSE:
        put(ints[0], -1);
        break;
    case OP_OPEN: {
        char *path = cstr(0);
        struct open_how_v0 how = { (uint64_t)ints[2] | O_CLOEXEC, (uint64_t)ints[3], (uint64_t)ints[4] };
        int fd = (int)syscall(SYS_openat2, dir_of(ints[1]), path, &how, sizeof(how));
        if (fd < 0 && errno == ENOENT && ints[5])
            fd = -1;
        else if (fd < 0)
            fail(errno, path);
        put(ints[0], fd);
        break;
    }
    case OP_DUP2:
        check(dup2(fd_of(ints[0]), (int)ints[1]), "dup2");
        break;
    case OP_CLOSE_FROM:
        check(syscall(SYS_close_range, (unsigned)ints[0], ~0U, 4 /* CLOSE_RANGE_CLOEXEC */), "close_range");
        break;
    case OP_CHECK: {
        int fd = fd_of(ints[0]);
        if (ints[1] == 4) {
            /* The descriptor is the root of the mount that the descriptor in slot `value` is on. */
            uint64_t a, b;
            int root = mount_identity(fd, &a);
            mount_identity(fd_of(ints[2]), &b);
            if (!root || a != b)
                fail(ESTALE, "not the mount made there before");
        } else if (ints[1] == 3 || ints[1] == 5) {
            struct statfs sf;
            check(fstatfs(fd, &sf), "fstatfs");
            if (ints[1] == 3 && (int64_t)(unsigned long)sf.f_type != ints[2])
                fail(EXDEV, "not on the expected filesystem");
            if (ints[1] == 5 && (int64_t)(unsigned long)sf.f_type == ints[2])
                fail(EXDEV, "on a filesystem where nothing may be mounted");
        } else {
            struct stat st;
            check(fstat(fd, &st), "fstat");
            if (ints[1] == 1 && (int64_t)(st.st_mode & S_IFMT) != ints[2])
                fail(ints[2] == S_IFDIR ? ENOTDIR : EEXIST, "not the expected type of file");
            if (ints[1] == 2 && (int64_t)st.st_rdev != ints[2])
                fail(ENODEV, "not the expected device");
        }
        break;
    }
    case OP_WRITE:
        if (write_all(fd_of(ints[0]), strs[0].p, strs[0].len) < 0)
            fail(errno, "write");
        break;
    case OP_SETNS:
        check(setns(fd_of(ints[0]), (int)ints[1]), "setns");
        break;
    case OP_UNSHARE:
        check(unshare((int)ints[0]), "unshare");
        break;
    case OP_FORK: {
        /* The child waits until the parent has reported its pid (the parent's end of this pipe closes when it
         * exits), so that the runtime always learns the pid before anything the child reports. */
        int order[2];
        check(pipe2(order, O_CLOEXEC), "pipe");
        /* CLONE_PARENT: the container's process is the runtime's child (the runtime waits for it, and when the
         * runtime exits it goes to the runtime's own reaper, a shim or conmon), not an orphan of this one. */
        pid_t child;
        if (ints[0] < 0) {
            child = check(syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0), "clone");
        } else {
            /* Born in that cgroup2 cgroup: no move afterwards, which would wait for an RCU grace period. With
             * CLONE_PARENT the child's exit signal is this process's (SIGCHLD); clone3 wants 0 here. */
            struct clone_args args = { .flags = CLONE_PARENT | CLONE_INTO_CGROUP, .cgroup = (uint64_t)fd_of(ints[0]) };
            child = check(syscall(SYS_clone3, &args, sizeof(args)), "clone into the cgroup");
        }
        if (child > 0) {
            send_message(MSG_PID, child, NULL, 0, NULL, 0);
            _exit(0);
        }
        close(order[1]);
        char byte;
        while (read(order[0], &byte, 1) < 0 && errno == EINTR)
            ;
        close(order[0]);
        break;
    }
    case OP_SYNC: {
        int fds[SLOTS], n = 0;
        for (uint32_t i = 1; i < nints && n < SLOTS; i++)
            fds[n++] = fd_of(ints[i]);
        send_message(MSG_SYNC, (int32_t)ints[0], NULL, 0, fds, n);
        break;
    }
    case OP_NOTIFY:
        send_message(MSG_NOTIFY, (int32_t)ints[0], NULL, 0, NULL, 0);
        break;
    case OP_ALONE:
        runtime_reads = 0;
        break;
    case OP_SETSID:
        check(setsid(), "setsid");
        break;
    case OP_HOOK:
        run_hook();
        break;
    case OP_PUSH:
        if (ints[0] < 0 || ints[0] > 2)
            fail(EPROTO, "list");
        for (uint32_t i = 0; i < nstrs; i++)
            push((int)ints[0], keep(i));
        break;
    case OP_WAIT_START: {
        char name[32];
        snprintf(name, sizeof(name), "self/fd/%d", fd_of(ints[0]));
        int fd = check(openat(fd_of(ints[2]), name, O_WRONLY | O_CLOEXEC), "opening the exec fifo");
        put(ints[0], -1);
        put(ints[1], fd);
        break;
    }
    case OP_EXEC: {
        int err = ENOENT;
        for (size_t i = 0; i < list_len[0]; i++) {
            execve(lists[0][i], list_or_empty(1), list_or_empty(2));
            err = errno;
            if (err != ENOENT && err != ENOTDIR && err != EACCES)
                break;
        }
        fail(err, list_len[0] ? lists[0][0] : "exec");
    }
    case OP_MOUNT: {
        char *source = cstr_or_null(0), *type = cstr_or_null(1), *data = cstr_or_null(2), *path = cstr(3);
        const char *target = ints[0] >= 0 ? proc_path(0, fd_of(ints[0])) : path;
        const char *from = ints[1] >= 0 ? proc_path(1, fd_of(ints[1])) : source;
        check(mount(from, target, type, (unsigned long)ints[2], data), "mount");
        break;
    }
    case OP_OPEN_TREE: {
        char *path = cstr(0);
        int fd = (int)syscall(SYS_open_tree, dir_of(ints[1]), path, (unsigned)ints[2] | O_CLOEXEC);
        if (fd < 0)
            fail(errno, path);
        put(ints[0], fd);
        break;
    }
    case OP_MOVE_MOUNT:
        check(syscall(SYS_move_mount, fd_of(ints[0]), "", fd_of(ints[1]), "", (unsigned)ints[2] | 0x4 /* F_EMPTY_PATH */ | 0x40 /* T_EMPTY_PATH */), "move_mount");
        break;
    case OP_MOUNT_SETATTR: {
        struct { uint64_t set, clr, propagation, userns_fd; } attr = { (uint64_t)ints[2], (uint64_t)ints[3], (uint64_t)ints[4], 0 };
        check(syscall(SYS_mount_setattr, fd_of(ints[0]), "", (unsigned)ints[1] | AT_EMPTY_PATH, &attr, sizeof(attr)), "mount_setattr");
        break;
    }
    case OP_FSOPEN: {
        char *type = cstr(0);
        put(ints[0], check(syscall(SYS_fsopen, type, 1 /* FSOPEN_CLOEXEC */), "fsopen"));
        break;
    }
    case OP_FSCONFIG: {
        char *key = cstr_or_null(0), *value = cstr_or_null(1);
        check(syscall(SYS_fsconfig, fd_of(ints[0]), (unsigned)ints[1], key, value, 0), key ? key : "fsconfig");
        break;
    }
    case OP_FSMOUNT:
        put(ints[0], check(syscall(SYS_fsmount, fd_of(ints[1]), (unsigned)ints[2] | 1 /* FSMOUNT_CLOEXEC */, (unsigned)ints[3]), "fsmount"));
        break;
    case OP_COPY_TREE:
        copy_tree(fd_of(ints[0]), fd_of(ints[1]), 0);
        break;
    case OP_MKDIR: {
        char *name = cstr(0);
        if (mkdirat(dir_of(ints[0]), name, (mode_t)ints[1]) < 0 && errno != EEXIST)
            fail(errno, name);
        break;
    }
    case OP_MKNOD: {
        char *name = cstr(0);
        if (mknodat(dir_of(ints[0]), name, (mode_t)ints[1], (dev_t)ints[2]) < 0)
            fail(errno, name);
        break;
    }
    case OP_SYMLINK: {
        char *target = cstr(0), *name = cstr(1);
        if (symlinkat(target, dir_of(ints[0]), name) < 0 && !(errno == EEXIST && ints[1]))
            fail(errno, name);
        break;
    }
    case OP_UNLINK: {
        char *name = cstr(0);
        if (unlinkat(dir_of(ints[0]), name, (int)ints[1]) < 0 && errno != ENOENT)
            fail(errno, name);
        break;
    }
    case OP_FCHOWN:
        check(fchownat(fd_of(ints[0]), "", (uid_t)ints[1], (gid_t)ints[2], AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW), "fchown");
        break;
    case OP_FCHMOD:
        /* Through /proc/self/fd: fchmod(2) refuses O_PATH descriptors. */
        check(chmod(proc_path(0, fd_of(ints[0])), (mode_t)ints[1]), "chmod");
        break;
    case OP_COPY_MODE: {
        struct stat st;
        check(fstat(fd_of(ints[0]), &st), "fstat");
        check(chmod(proc_path(0, fd_of(ints[1])), st.st_mode & 07777), "chmod");
        break;
    }
    case OP_STDIO_OWNER:
        for (int fd = 0; fd < 3; fd++)
            if ((ints[1] & (1 << fd)) && fchown(fd, (uid_t)ints[0], (gid_t)-1) < 0 && errno != EINVAL && errno != EPERM)
                fail(errno, "giving stdio to the container's user");
        break;
    case OP_UMOUNT: {
        char *path = cstr(0);
        if (umount2(path, (int)ints[0] & ~0x40000000) < 0 && !((ints[0] & 0x40000000) && errno == EINVAL))
            fail(errno, path);
        break;
    }
    case OP_PIVOT_ROOT: {
        char *a = cstr(0), *b = cstr(1);
        check(syscall(SYS_pivot_root, a, b), "pivot_root");
        break;
    }
    case OP_CHROOT: {
        char *path = cstr(0);
        check(chroot(path), "chroot");
        break;
    }
    case OP_FCHDIR:
        check(fchdir(fd_of(ints[0])), "fchdir");
        break;
    case OP_CHDIR: {
        char *path = cstr(0);
        check(chdir(path), path);
        break;
    }
    case OP_WORKDIR: {
        static int deferred;
        char *path = cstr(0);
        if (ints[0] == 2 && !deferred)
            break;
        if (chdir(path) == 0) {
            deferred = 0;
            break;
        }
        if (ints[0] == 1 && (errno == EACCES || errno == EPERM)) {
            deferred = 1;
            break;
        }
        fail(errno, path);
    }
    case OP_SETHOSTNAME:
        check(sethostname(strs[0].p, strs[0].len), "sethostname");
        break;
    case OP_SETDOMAINNAME:
        check(setdomainname(strs[0].p, strs[0].len), "setdomainname");
        break;
    case OP_SETRLIMIT: {
        struct rlimit limit = { (rlim_t)ints[1], (rlim_t)ints[2] };
        check(setrlimit((int)ints[0], &limit), "setrlimit");
        break;
    }
    case OP_PRCTL:
        check(prctl((int)ints[0], (unsigned long)ints[1], (unsigned long)ints[2], (unsigned long)ints[3], (unsigned long)ints[4]), "prctl");
        break;
    case OP_CAPSET: {
        struct cap_header header = { CAP_VERSION_3, 0 };
        struct cap_data data[2] = {
            { (uint32_t)ints[0], (uint32_t)ints[2], (uint32_t)ints[4] },
            { (uint32_t)ints[1], (uint32_t)ints[3], (uint32_t)ints[5] },
        };
        check(syscall(SYS_capset, &header, data), "capset");
        break;
    }
    case OP_PERSONALITY:
        check(personality((unsigned long)ints[0]), "personality");
        break;
    case OP_IOPRIO:
        check(syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (int)ints[0]), "ioprio_set");
        break;
    case OP_SCHED_SETATTR: {
        struct sched_attr_v1 attr = { sizeof(attr), (uint32_t)ints[0], (uint64_t)ints[1], (int32_t)ints[2],
                                      (uint32_t)ints[3], (uint64_t)ints[4], (uint64_t)ints[5], (uint64_t)ints[6], 0, 0 };
        attr.size = 48; /* the first version of the struct: no utilization clamps */
        check(syscall(SYS_sched_setattr, 0, &attr, 0), "sched_setattr");
        break;
    }
    case OP_MEMPOLICY:
        check(syscall(SYS_set_mempolicy, (int)ints[0], strs[0].len ? strs[0].p : NULL, (unsigned long)ints[1]), "set_mempolicy");
        break;
    case OP_AFFINITY:
        check(syscall(SYS_sched_setaffinity, 0, strs[0].len, strs[0].p), "sched_setaffinity");
        break;
    case OP_SETGROUPS: {
        gid_t groups[MAX_ITEMS];
        for (uint32_t i = 0; i < nints; i++)
            groups[i] = (gid_t)ints[i];
        check(syscall(SYS_setgroups, nints, groups), "setgroups");
        break;
    }
    /* Raw system calls: this process has one thread, and the calls must not be broadcast or emulated. */
    case OP_SETRESGID:
        check(syscall(SYS_setresgid, (gid_t)ints[0], (gid_t)ints[0], (gid_t)ints[0]), "setresgid");
        break;
    case OP_SETRESUID:
        check(syscall(SYS_setresuid, (uid_t)ints[0], (uid_t)ints[0], (uid_t)ints[0]), "setresuid");
        break;
    case OP_UMASK:
        umask((mode_t)ints[0]);
        break;
    case OP_SECCOMP: {
        struct sock_fprog prog = { (unsigned short)(strs[0].len / sizeof(struct sock_filter)), (struct sock_filter *)strs[0].p };
        int r = check(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned)ints[0], &prog), "seccomp");
        if (ints[1] >= 0)
            put(ints[1], r);
        break;
    }
    case OP_PTY_PEER: {
        int master = fd_of(ints[0]), unlock = 0;
        check(ioctl(master, TIOCSPTLCK, &unlock), "unlocking the pty");
        put(ints[1], check(ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC), "opening the pty's peer"));
        break;
    }
    case OP_WINSIZE: {
        struct winsize size = { (unsigned short)ints[1], (unsigned short)ints[2], 0, 0 };
        check(ioctl(fd_of(ints[0]), TIOCSWINSZ, &size), "setting the window size");
        break;
    }
    case OP_CTTY:
        check(ioctl((int)ints[0], TIOCSCTTY, 0), "setting the controlling terminal");
        break;
    case OP_SEND_FD: {
        int fd = fd_of(ints[1]);
        char name[256];
        size_t len = strs[0].len < sizeof(name) ? strs[0].len : sizeof(name) - 1;
        memcpy(name, strs[0].p, len);
        struct iovec iov = { name, len ? len : 1 };
        if (!len)
            name[0] = '\0';
        char control[CMSG_SPACE(sizeof(int))];
        memset(control, 0, sizeof(control));
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        check(sendmsg(fd_of(ints[0]), &msg, MSG_NOSIGNAL), "sending the pty to the console socket");
        break;
    }
    case OP_KEYRING: {
        char *name = cstr(0);
        long serial = syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, name);
        if (serial < 0 && errno == ENOSYS)
            break;
        check(serial, "joining the session keyring");
        if (ints[0]) {
            /* KEYCTL_DESCRIBE gives "type;uid;gid;perm;description", the permissions in hexadecimal. */
            char text[512];
            long n = check(syscall(SYS_keyctl, 6 /* KEYCTL_DESCRIBE */, serial, text, sizeof(text) - 1), "describing the session keyring");
            text[n < (long)sizeof(text) ? n : (long)sizeof(text) - 1] = '\0';
            char *field = text;
            for (int i = 0; i < 3 && field; i++)
                field = strchr(field, ';') ? strchr(field, ';') + 1 : NULL;
            if (!field)
                fail(EPROTO, "describing the session keyring");
            unsigned long perm = strtoul(field, NULL, 16) | (unsigned long)ints[0];
            check(syscall(SYS_keyctl, 5 /* KEYCTL_SETPERM */, serial, perm), "setting the session keyring's permissions");
        }
        break;
    }
    case OP_MKPATH:
        make_path(fd_of(ints[0]), (mode_t)ints[1], ints[2] != 0);
        break;
    case OP_REPORT_TO:
        report_fd = fd_of(ints[0]);
        break;
    default:
        fail(EPROTO, "unknown plan step");
    }
}

int main(int argc, char **argv)
{
    /* Nothing of this process may be read or traced from inside the container while it works: the kernel resets
     * dumpability at the final execve. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (argc != 2)
        return 2;
    sock = atoi(argv[1]);
    if (sock < 3 || fcntl(sock, F_SETFD, FD_CLOEXEC) < 0)
        return 2;
    for (int i = 0; i < SLOTS; i++)
        slot[i] = -1;
    while (read_message()) {
        int op;
        while ((op = read_step()) != 0)
            step(op);
        if (next_fd != nreceived)
            fail(EPROTO, "descriptors no step took");
    }
    /* The runtime ended the plan without an exec: it gave up (its own error is reported there). */
    return 1;
}
