#!/usr/bin/env python3
"""Lifecycle speed and memory of oci-run side by side with runc and crun (see bench/README.md).

Runs every runtime on the same host, bundle and config, interleaved within each measurement so that noise from
other work on the machine hits all of them alike, and prints a table of medians and ratios.

Two settings:
  host  the host as it is (hybrid cgroups), runc's default config (with linux.resources): oci-run and runc.
  cg2   a private mount namespace whose /sys/fs/cgroup is a cgroup2 mount, the config without linux.resources,
        cgroups disabled (crun --cgroup-manager=disabled, oci-run --cgroup-manager=disabled): oci-run and crun.
        crun 1.8 refuses hybrid hosts, so this is the only setting where it runs here.

The bench process switches between the two mount namespaces with setns(2) before it spawns each command, so that
the runtimes of each setting are interleaved with each other, setting after setting, part by part.
"""
import argparse
import ctypes
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

CLONE_NEWNS = 0x00020000
PR_SET_CHILD_SUBREAPER = 36
MiB = 1 << 20

libc = ctypes.CDLL(None, use_errno=True)


def check(ret, what):
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


class Namespaces:
    """The host's mount namespace and a private one with cgroup2 on /sys/fs/cgroup. With extra mounts, "host" is a
    private copy of the host's mount namespace too, and both hold that many more tmpfs mounts (a busy node's mount
    table: every container, pod volume and secret is a mount there)."""

    def __init__(self, extra_mounts=0, workdir=None):
        self.fds = {"host": os.open("/proc/self/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)}
        self.fds["origin"] = os.dup(self.fds["host"])
        check(libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
        subprocess.run(["mount", "--make-rprivate", "/"], check=True)
        if extra_mounts > 0:
            holder = os.path.join(workdir, "mounts")
            os.makedirs(holder)
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "holder", holder], check=True)
            for i in range(extra_mounts):
                point = os.path.join(holder, str(i))
                os.mkdir(point)
                subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k", "extra", point], check=True)
            os.close(self.fds["host"])
            self.fds["host"] = os.open("/proc/self/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
            check(libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
        for cmd in (["umount", "-l", "/sys/fs/cgroup"], ["mount", "-t", "cgroup2", "none", "/sys/fs/cgroup"]):
            subprocess.run(cmd, check=True)
        self.fds["cg2"] = os.open("/proc/self/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
        self.current = "cg2"
        self.enter("host")

    def enter(self, setting):
        if setting == self.current:
            return
        for attempt in range(100):
            if libc.setns(self.fds[setting], CLONE_NEWNS) == 0:
                self.current = setting
                return
            if ctypes.get_errno() != 22 or attempt == 99:  # EINVAL while a finished thread is still going away
                check(-1, f"setns({setting})")
            time.sleep(0.001)


class Result:
    __slots__ = ("status", "wall", "cpu", "maxrss_kb", "stderr")

    def __init__(self, status, wall, cpu, maxrss_kb, stderr):
        self.status, self.wall, self.cpu, self.maxrss_kb, self.stderr = status, wall, cpu, maxrss_kb, stderr

    @property
    def ok(self):
        return self.status == 0


class Runner:
    def __init__(self, workdir, namespaces):
        self.ns = namespaces
        self.devnull = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC)
        self.workdir = workdir

    def spawn(self, setting, argv, stdout=None):
        """Starts argv in the setting's mount namespace; returns (pid, stderr fd, start time)."""
        self.ns.enter(setting)
        err = os.open(self.workdir, os.O_TMPFILE | os.O_RDWR | os.O_CLOEXEC, 0o600)
        actions = [(os.POSIX_SPAWN_DUP2, self.devnull, 0),
                   (os.POSIX_SPAWN_DUP2, stdout if stdout is not None else self.devnull, 1),
                   (os.POSIX_SPAWN_DUP2, err, 2)]
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
        return pid, err, start

    @staticmethod
    def finish(pid, err, start):
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        os.lseek(err, 0, os.SEEK_SET)
        text = os.read(err, 4096).decode(errors="replace").strip()
        os.close(err)
        return Result(os.waitstatus_to_exitcode(status), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, text)

    def run(self, setting, argv, stdout=None):
        return self.finish(*self.spawn(setting, argv, stdout))

    def parallel(self, setting, argvs, width):
        """Runs argvs, at most width at a time; returns the results in order and the total wall time."""
        results = [None] * len(argvs)
        running = {}
        start = time.perf_counter()
        next_index = 0
        while next_index < len(argvs) or running:
            while next_index < len(argvs) and len(running) < width:
                pid, err, t0 = self.spawn(setting, argvs[next_index])
                running[pid] = (next_index, err, t0)
                next_index += 1
            pid, status, usage = os.wait4(-1, 0)
            if pid not in running:
                continue  # an orphan re-parented to us (we are a subreaper)
            index, err, t0 = running.pop(pid)
            os.lseek(err, 0, os.SEEK_SET)
            text = os.read(err, 4096).decode(errors="replace").strip()
            os.close(err)
            results[index] = Result(os.waitstatus_to_exitcode(status), time.perf_counter() - t0,
                                    usage.ru_utime + usage.ru_stime, usage.ru_maxrss, text)
        return results, time.perf_counter() - start

    @staticmethod
    def reap():
        """Reaps orphans re-parented to us (stopped containers' inits)."""
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return


class Runtime:
    """One runtime in one setting: its binary, global flags and state root."""

    def __init__(self, name, binary, setting, global_flags, root, bundles):
        self.name, self.binary, self.setting = name, binary, setting
        self.global_flags, self.root, self.bundles = global_flags, root, bundles
        self.label = f"{name}@{setting}"

    def argv(self, *args):
        return [self.binary, "--root", self.root, *self.global_flags, *args]


def median(values):
    return statistics.median(values) if values else None


def rotate(items, i):
    i %= len(items)
    return items[i:] + items[:i]


# ---------------------------------------------------------------------------------------------------- bundles

def make_rootfs(path):
    busybox = "/bin/busybox"
    out = subprocess.run(["file", "-L", busybox], capture_output=True, text=True).stdout
    if "statically linked" not in out:
        sys.exit("bench: needs a static /bin/busybox (apt-get install -y busybox-static)")
    for d in ("bin", "dev", "proc", "sys", "tmp", "etc", "root", "run", "var"):
        os.makedirs(os.path.join(path, d), exist_ok=True)
    shutil.copy(busybox, os.path.join(path, "bin", "busybox"))
    for applet in ("true", "sleep", "sh", "cat"):
        os.symlink("busybox", os.path.join(path, "bin", applet))
    with open(os.path.join(path, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n")
    with open(os.path.join(path, "etc", "group"), "w") as f:
        f.write("root:x:0:\n")


def base_config(workdir):
    """runc's default config (`runc spec`), terminal false."""
    d = os.path.join(workdir, "runc-spec")
    os.makedirs(d)
    subprocess.run(["runc", "spec", "--bundle", d], check=True)
    with open(os.path.join(d, "config.json")) as f:
        config = json.load(f)
    config["process"]["terminal"] = False
    return config


def make_bundle(path, config, rootfs, args, without_resources=False, memory_limit=None):
    config = json.loads(json.dumps(config))
    config["root"]["path"] = rootfs
    config["process"]["args"] = args
    if without_resources:
        config["linux"].pop("resources", None)
    if memory_limit is not None:
        config["linux"].setdefault("resources", {})["memory"] = {"limit": memory_limit}
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    return path


# ---------------------------------------------------------------------------------------------------- measurements

class Bench:
    def __init__(self, args, runner, runtimes, workdir, config, rootfs):
        self.args, self.runner, self.runtimes = args, runner, runtimes
        self.workdir, self.config, self.rootfs = workdir, config, rootfs
        self.rows = {}      # row key -> {label: value}
        self.notes = {}     # row key -> {label: note}
        self.failures = {}  # label -> first error text
        self.seq = 0

    def new_id(self, prefix):
        self.seq += 1
        return f"b{os.getpid()}-{prefix}{self.seq}"

    def fail(self, rt, what, result):
        msg = f"{what}: exit {result.status}: {result.stderr.splitlines()[-1] if result.stderr else ''}"
        self.failures.setdefault(rt.label, msg)
        return msg

    def put(self, key, rt, value, note=None):
        self.rows.setdefault(key, {})[rt.label] = value
        if note:
            self.notes.setdefault(key, {})[rt.label] = note

    def progress(self, text):
        print(f"bench: {text}", file=sys.stderr, flush=True)

    def cleanup(self, rt, ids):
        for cid in ids:
            self.runner.run(rt.setting, rt.argv("delete", "--force", cid))
        self.runner.reap()

    # 1. run of /bin/true
    def bench_run(self):
        n = self.args.n
        self.progress(f"run /bin/true x{n}")
        walls = {rt.label: [] for rt in self.runtimes}
        cpus = {rt.label: [] for rt in self.runtimes}
        rss = {rt.label: [] for rt in self.runtimes}
        for i in range(n + 1):
            for rt in rotate(self.runtimes, i):
                cid = self.new_id("run")
                r = self.runner.run(rt.setting, rt.argv("run", "--bundle", rt.bundles["true"], cid))
                self.runner.reap()
                if not r.ok:
                    self.fail(rt, "run", r)
                    self.cleanup(rt, [cid])
                    continue
                if i > 0:  # the first round warms the page cache
                    walls[rt.label].append(r.wall)
                    cpus[rt.label].append(r.cpu)
                    rss[rt.label].append(r.maxrss_kb)
        for rt in self.runtimes:
            self.put("run", rt, median(walls[rt.label]))
            self.put("run.cpu", rt, median(cpus[rt.label]))

    # 2. create, start, delete each alone; 6. runtime peak RSS and init RSS before exec
    def bench_lifecycle(self):
        n = self.args.n
        self.progress(f"create / start / delete x{n}")
        data = {rt.label: {"create": [], "start": [], "delete": []} for rt in self.runtimes}
        for i in range(n + 1):
            for rt in rotate(self.runtimes, i):
                d = data[rt.label]
                cid = self.new_id("csd")
                pidfile = os.path.join(self.workdir, cid + ".pid")
                r = self.runner.run(rt.setting, rt.argv("create", "--bundle", rt.bundles["true"],
                                                        "--pid-file", pidfile, cid))
                if not r.ok:
                    self.fail(rt, "create", r)
                    self.cleanup(rt, [cid])
                    continue
                with open(pidfile) as f:
                    pid = int(f.read().strip())
                os.unlink(pidfile)
                s = self.runner.run(rt.setting, rt.argv("start", cid))
                if not s.ok:
                    self.fail(rt, "start", s)
                    self.cleanup(rt, [cid])
                    continue
                # We are a subreaper: the container's init is our child now; wait for /bin/true to end.
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    while os.path.exists(f"/proc/{pid}"):
                        time.sleep(0.001)
                dl = self.runner.run(rt.setting, rt.argv("delete", cid))
                if not dl.ok:
                    self.fail(rt, "delete", dl)
                    self.cleanup(rt, [cid])
                    continue
                if i > 0:
                    d["create"].append(r.wall)
                    d["start"].append(s.wall)
                    d["delete"].append(dl.wall)
        for rt in self.runtimes:
            d = data[rt.label]
            for key in ("create", "start", "delete"):
                self.put(key, rt, median(d[key]))

    # 6. peak RSS of the runtime (create, run) and of the container's init before it execs
    def bench_rss(self):
        self.progress("peak RSS")
        helper = os.path.join(self.workdir, "maxrss")
        subprocess.run(["gcc", "-O2", "-o", helper, os.path.join(os.path.dirname(os.path.abspath(__file__)), "maxrss.c")],
                       check=True)
        out = os.path.join(self.workdir, "maxrss.out")
        data = {rt.label: {"create": [], "run": [], "init": []} for rt in self.runtimes}

        def measured(rt, *args):
            r = self.runner.run(rt.setting, [helper, out, *rt.argv(*args)])
            with open(out) as f:
                return r, int(f.read())

        for i in range(3):
            for rt in rotate(self.runtimes, i):
                d = data[rt.label]
                cid = self.new_id("rss")
                pidfile = os.path.join(self.workdir, cid + ".pid")
                r, kb = measured(rt, "create", "--bundle", rt.bundles["true"], "--pid-file", pidfile, cid)
                if not r.ok:
                    self.fail(rt, "create (rss)", r)
                    self.cleanup(rt, [cid])
                    continue
                d["create"].append(kb)
                with open(pidfile) as f:
                    pid = int(f.read().strip())
                try:
                    with open(f"/proc/{pid}/status") as f:
                        status = dict(line.split(":", 1) for line in f if ":" in line)
                    d["init"].append(int(status["VmHWM"].split()[0]))
                except (OSError, KeyError):
                    pass
                self.cleanup(rt, [cid])
                cid = self.new_id("rss")
                r, kb = measured(rt, "run", "--bundle", rt.bundles["true"], cid)
                self.cleanup(rt, [cid])
                if r.ok:
                    d["run"].append(kb)
        for rt in self.runtimes:
            d = data[rt.label]
            self.put("rss", rt, max(d["create"]) * 1024 if d["create"] else None)
            self.put("rss.run", rt, max(d["run"]) * 1024 if d["run"] else None)
            self.put("init_rss", rt, max(d["init"]) * 1024 if d["init"] else None)

    # 3. exec /bin/true into a running container
    def bench_exec(self):
        n = self.args.n
        self.progress(f"exec /bin/true x{n}")
        ids = {}
        for rt in self.runtimes:
            cid = self.new_id("exec")
            r = self.runner.run(rt.setting, rt.argv("run", "--detach", "--bundle", rt.bundles["sleep"], cid))
            if not r.ok:
                self.fail(rt, "run --detach (for exec)", r)
                self.cleanup(rt, [cid])
                continue
            ids[rt.label] = cid
        walls = {rt.label: [] for rt in self.runtimes}
        broken = {}
        for i in range(n + 1):
            for rt in rotate(self.runtimes, i):
                if rt.label not in ids or rt.label in broken:
                    continue
                r = self.runner.run(rt.setting, rt.argv("exec", ids[rt.label], "/bin/true"))
                if not r.ok:
                    broken[rt.label] = r.stderr.splitlines()[-1] if r.stderr else f"exit {r.status}"
                    continue
                if i > 0:
                    walls[rt.label].append(r.wall)
        for rt in self.runtimes:
            if rt.label in ids:
                self.runner.run(rt.setting, rt.argv("kill", ids[rt.label], "KILL"))
            note = broken.get(rt.label) or (None if rt.label in ids else "could not start the container")
            self.put("exec", rt, None if note else median(walls[rt.label]), note)
            self.cleanup(rt, [ids[rt.label]] if rt.label in ids else [])

    # 4. state and list with 100 containers present; 5. 50 concurrent creates, 8 at a time
    def bench_many(self):
        n, count = self.args.n, self.args.containers
        self.progress(f"creating {count} containers per runtime for state/list")
        present = {}
        for rt in self.runtimes:
            ids = [self.new_id("many") for _ in range(count)]
            results, _ = self.runner.parallel(rt.setting, [rt.argv("create", "--bundle", rt.bundles["true"], c)
                                                           for c in ids], self.args.width)
            bad = [r for r in results if not r.ok]
            if bad:
                self.fail(rt, f"create ({len(bad)} of {count} failed)", bad[0])
            present[rt.label] = [c for c, r in zip(ids, results) if r.ok]
        self.progress(f"state / list x{n}")
        state = {rt.label: [] for rt in self.runtimes}
        lst = {rt.label: [] for rt in self.runtimes}
        sink = os.open(os.path.join(self.workdir, "stdout"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC)
        for i in range(n + 1):
            for rt in rotate(self.runtimes, i):
                ids = present[rt.label]
                if not ids:
                    continue
                r = self.runner.run(rt.setting, rt.argv("state", ids[len(ids) // 2]), stdout=sink)
                if r.ok and i > 0:
                    state[rt.label].append(r.wall)
                elif not r.ok:
                    self.fail(rt, "state", r)
                r = self.runner.run(rt.setting, rt.argv("list"), stdout=sink)
                if r.ok and i > 0:
                    lst[rt.label].append(r.wall)
                elif not r.ok:
                    self.fail(rt, "list", r)
        os.close(sink)
        for rt in self.runtimes:
            self.put("state", rt, median(state[rt.label]))
            self.put("list", rt, median(lst[rt.label]))
        self.progress("deleting them")
        for rt in self.runtimes:
            self.runner.parallel(rt.setting, [rt.argv("delete", "--force", c) for c in present[rt.label]],
                                 self.args.width)
        self.runner.reap()

        rounds, total, width = self.args.rounds, self.args.concurrent, self.args.width
        self.progress(f"{total} concurrent creates, {width} at a time, x{rounds}")
        times = {rt.label: [] for rt in self.runtimes}
        failed = {rt.label: 0 for rt in self.runtimes}
        for i in range(rounds):
            for rt in rotate(self.runtimes, i):
                ids = [self.new_id("conc") for _ in range(total)]
                results, wall = self.runner.parallel(
                    rt.setting, [rt.argv("create", "--bundle", rt.bundles["true"], c) for c in ids], width)
                bad = [r for r in results if not r.ok]
                failed[rt.label] += len(bad)
                if bad:
                    self.fail(rt, "concurrent create", bad[0])
                times[rt.label].append(wall)
                self.runner.parallel(rt.setting, [rt.argv("delete", "--force", c) for c in ids], width)
                self.runner.reap()
        for rt in self.runtimes:
            self.put("concurrent", rt, median(times[rt.label]))
            self.put("concurrent.failed", rt, failed[rt.label])

    # 7. smallest memory limit under which a container still starts
    def bench_memory(self):
        """Bisects the smallest linux.resources.memory.limit under which `run` of /bin/true succeeds. The bench also
        sets that limit itself on the container's memory cgroup (made in advance at linux.cgroupsPath), so that a
        runtime that does not apply linux.resources yet is measured alike; one that does writes the same value."""
        self.progress("smallest memory limit (bisect)")
        step = 64 * 1024
        memory_root = "/sys/fs/cgroup/memory"
        self.runner.ns.enter("host")  # the host's cgroup hierarchies are where memory_root is looked for
        for rt in self.runtimes:
            if rt.setting != "host" or not os.path.isdir(memory_root):
                self.put("memlimit", rt, None, "no memory controller here (cgroup2 without controllers, cgroups disabled)")
                continue

            def starts(limit):
                cid = self.new_id("mem")
                cgroup = "oci-bench-" + cid
                os.mkdir(os.path.join(memory_root, cgroup))
                with open(os.path.join(memory_root, cgroup, "memory.limit_in_bytes"), "w") as f:
                    f.write(str(limit))
                config = json.loads(json.dumps(self.config))
                config["linux"]["cgroupsPath"] = "/" + cgroup
                bundle = make_bundle(os.path.join(self.workdir, cid), config, self.rootfs, ["/bin/true"],
                                     memory_limit=limit)
                r = self.runner.run(rt.setting, rt.argv("run", "--bundle", bundle, cid))
                self.cleanup(rt, [cid])
                try:
                    os.rmdir(os.path.join(memory_root, cgroup))
                except OSError:
                    pass
                shutil.rmtree(bundle, ignore_errors=True)
                return r.ok

            lo, hi = 0, 64 * MiB  # lo fails (by assumption), hi starts
            if not starts(hi):
                self.put("memlimit", rt, None, "does not start under 64 MiB")
                continue
            while hi - lo > step:
                mid = (lo + hi) // 2 // step * step
                if mid <= lo:
                    mid = lo + step
                # twice: a start that only sometimes fits does not count
                if starts(mid) and starts(mid):
                    hi = mid
                else:
                    lo = mid
            self.put("memlimit", rt, hi)


# ---------------------------------------------------------------------------------------------------- output

ROWS = [
    # key, title, kind
    ("run", "run /bin/true (create+start+wait+delete)", "time"),
    ("run.cpu", "  cpu time of that run (user+sys)", "time"),
    ("create", "create", "time"),
    ("start", "start", "time"),
    ("delete", "delete (stopped container)", "time"),
    ("exec", "exec /bin/true (running container)", "time"),
    ("state", "state, {containers} containers present", "time"),
    ("list", "list, {containers} containers present", "time"),
    ("concurrent", "{concurrent} creates, {width} at a time: total", "time"),
    ("concurrent.failed", "  of which failed", "count"),
    ("rss", "peak RSS: create (runtime + its helpers)", "bytes"),
    ("rss.run", "peak RSS: run (+ init, which it reaps)", "bytes"),
    ("init_rss", "init peak RSS before exec (VmHWM)", "bytes"),
    ("memlimit", "smallest memory.limit that starts", "bytes"),
]


def fmt(value, kind):
    if value is None:
        return "n/a"
    if kind == "time":
        return f"{value * 1000:.2f} ms"
    if kind == "bytes":
        return f"{value / MiB:.2f} MiB"
    return str(value)


def ratio(a, b, kind):
    if a is None or b is None or kind == "count" or b == 0:
        return ""
    return f"{a / b:.2f}x"


def report(bench, runtimes, args):
    labels = [rt.label for rt in runtimes]
    pairs = [("oci-run@host", "runc@host"), ("oci-run@cg2", "crun@cg2")]
    cols = []
    for a, b in pairs:
        if a in labels or b in labels:
            cols += [a, b, f"{a.split('@')[0]}/{b.split('@')[0]}@{a.split('@')[1]}"]
    header = ["", *cols]
    table = [header]
    for key, title, kind in ROWS:
        values = bench.rows.get(key, {})
        line = [title.format(**vars(args))]
        for a, b in pairs:
            if a in labels or b in labels:
                line += [fmt(values.get(a), kind), fmt(values.get(b), kind), ratio(values.get(a), values.get(b), kind)]
        table.append(line)
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    out = []
    for j, r in enumerate(table):
        out.append("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)))
        if j == 0:
            out.append("-" * len(out[0]))
    print("\n".join(out))
    print()
    print(f"medians of {args.n} interleaved rounds (after one warm-up round); concurrent: median of {args.rounds}.")
    print("@host: this host as it is (hybrid cgroups v1 + empty cgroup2), `runc spec` config with linux.resources;")
    print("       both runtimes create and join the container's cgroups on every hierarchy.")
    print("@cg2:  private mount namespace with /sys/fs/cgroup a cgroup2 mount, the config without linux.resources,")
    print("       crun --cgroup-manager=disabled and oci-run --cgroup-manager=disabled (no cgroup is made or joined).")
    if args.extra_mounts:
        print(f"both: {args.extra_mounts} more tmpfs mounts in the mount namespace (a busy node); @host is a private "
              "copy of the host's")
    print("peak RSS: ru_maxrss of the command, started from a small C parent (bench/maxrss.c): the largest of the")
    print("       runtime's process and the helpers it reaped; init: VmHWM of the container's init while it waits")
    print("       for `start` (before it execs). Largest of 3.")
    print("memory.limit: bisected to 64 KiB, `run` of /bin/true must succeed twice; the bench also sets the limit on")
    print("       the container's memory cgroup itself (made in advance at linux.cgroupsPath), so a runtime that does")
    print("       not apply linux.resources.memory yet is held to it too.")
    for key in ("exec", "memlimit"):
        for label, note in bench.notes.get(key, {}).items():
            print(f"n/a {key} {label}: {note}")
    for label, msg in bench.failures.items():
        print(f"failure {label}: {msg}")
    sys.stdout.flush()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", type=int, default=30, help="rounds per timed command (default 30)")
    p.add_argument("--containers", type=int, default=100, help="containers present for state/list (default 100)")
    p.add_argument("--concurrent", type=int, default=50, help="containers created concurrently (default 50)")
    p.add_argument("--width", type=int, default=8, help="concurrent creates at a time (default 8)")
    p.add_argument("--rounds", type=int, default=3, help="rounds of the concurrent create (default 3)")
    p.add_argument("--oci-run", default=os.path.join(here, "..", "artifacts", "oci-run"))
    p.add_argument("--runc", default=shutil.which("runc") or "/usr/sbin/runc")
    p.add_argument("--crun", default=shutil.which("crun") or "/usr/bin/crun")
    p.add_argument("--only", default="run,lifecycle,exec,many,rss,memory",
                   help="comma-separated parts: run,lifecycle,exec,many,rss,memory")
    p.add_argument("--runtimes", default="oci-run@host,runc@host,oci-run@cg2,crun@cg2")
    p.add_argument("--json", help="also write the results to this file")
    p.add_argument("--extra-mounts", type=int, default=0,
                   help="run both settings with this many more mounts in their mount namespaces (a busy node)")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: must run as root")

    check(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)")
    workdir = tempfile.mkdtemp(prefix="oci-bench-", dir="/tmp")
    state_root = tempfile.mkdtemp(prefix="oci-bench-", dir="/run")
    namespaces = Namespaces(args.extra_mounts, workdir)
    try:
        rootfs = os.path.join(workdir, "rootfs")
        make_rootfs(rootfs)
        config = base_config(workdir)
        bundles = {
            "host": {"true": make_bundle(os.path.join(workdir, "host-true"), config, rootfs, ["/bin/true"]),
                     "sleep": make_bundle(os.path.join(workdir, "host-sleep"), config, rootfs,
                                          ["/bin/sleep", "100000"])},
            "cg2": {"true": make_bundle(os.path.join(workdir, "cg2-true"), config, rootfs, ["/bin/true"], True),
                    "sleep": make_bundle(os.path.join(workdir, "cg2-sleep"), config, rootfs,
                                         ["/bin/sleep", "100000"], True)},
        }
        binaries = {"oci-run": os.path.abspath(args.oci_run), "runc": args.runc, "crun": args.crun}
        runtimes = []
        for label in args.runtimes.split(","):
            name, setting = label.split("@")
            binary = binaries[name]
            if not os.access(binary, os.X_OK):
                print(f"bench: {label}: {binary} not found, skipped", file=sys.stderr)
                continue
            flags = ["--cgroup-manager=disabled"] if setting == "cg2" else []
            root = os.path.join(state_root, f"{name}-{setting}")
            runtimes.append(Runtime(name, binary, setting, flags, root, bundles[setting]))
        runner = Runner(workdir, namespaces)
        bench = Bench(args, runner, runtimes, workdir, config, rootfs)
        versions = []
        for rt in runtimes:
            if rt.setting == "host" or rt.name == "crun":
                out = subprocess.run([rt.binary, "--version"], capture_output=True, text=True).stdout
                versions.append(f"{rt.name}: {out.splitlines()[0] if out else '?'}")
        parts = args.only.split(",")
        # Each setting's runtimes are interleaved with each other, and the settings take turns part by part: the
        # kernel's deferred work after a container (network namespace teardown, cgroup v1 removal) then lands on
        # the runtimes being compared, not on the other setting's (it had doubled crun's time at cg2 when its runs
        # followed runc's and oci-run's at host).
        settings = [s for s in ("host", "cg2") if any(rt.setting == s for rt in runtimes)]
        for part in ("run", "lifecycle", "exec", "many", "rss", "memory"):
            if part in parts:
                for setting in settings:
                    bench.runtimes = [rt for rt in runtimes if rt.setting == setting]
                    getattr(bench, "bench_" + part)()
        bench.runtimes = runtimes
        print(f"# {'; '.join(versions)}")
        print(f"# {os.uname().release}, {os.cpu_count()} cpus, load before/after: see uptime; "
              f"{time.strftime('%Y-%m-%d %H:%M:%S')}, load {os.getloadavg()[0]:.2f}")
        report(bench, runtimes, args)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"rows": bench.rows, "notes": bench.notes, "failures": bench.failures}, f, indent=2)
    finally:
        # The bench's own mount namespace: the private ones (and any extra mounts) go with this process.
        namespaces.enter("origin")
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(state_root, ignore_errors=True)


if __name__ == "__main__":
    main()
