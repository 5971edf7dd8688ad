#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fault injection: kill -9 of hull-oci create/run/start/delete and of hull run -d or hull
start (alone, or with the monitor it forked)/hull rm at random moments, then the clean-up a
user (or containerd, or podman) would do -- `hull-oci delete --force`, `hull rm -f` of what
`hull ps -a` lists and of the names used --
and a check that nothing is left: processes (in the test's cgroups, or with the test's
directories on their command line), cgroup directories, mounts under the test's directories,
runtime state directories, records, names, network namespaces, CNI address allocations and
iptables rules naming the containers.

Seeded (the seed is printed; FAULT_SEED or --seed repeats a run), FAULT_ITERATIONS or
--iterations iterations, bounded in time (--time-limit seconds: the run stops early, and says
so, rather than overrun).  Exits 0 when nothing leaked, 1 otherwise (each leak is printed with
its iteration, operation and delay), 77 when the host cannot run it.

Usage: tests/fault.py [--iterations N] [--seed S] [--time-limit SECONDS]
                      [--root DIR] [--work DIR] [--tag NAME] [--no-network] [-v]
"""
import argparse
import glob
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HULL_OCI = os.environ.get("HULL_OCI", os.path.join(REPO, "build", "hull-oci"))
HULL = os.environ.get("HULL", os.path.join(REPO, "build", "hull"))
IMAGE = "hulltest/busybox:docker"
CGROUP_FS = "/sys/fs/cgroup"
# A command of the clean-up that takes longer than this is a failure of its own.
CLEANUP_TIMEOUT = 60
# Processes still exiting after the clean-up get this long before they count as left.
GRACE = 3.0


class Ctx:
    def __init__(self, args):
        self.root = args.root
        self.work = args.work
        self.tag = args.tag
        self.store = os.path.join(self.work, "store")
        self.verbose = args.verbose
        self.network = False
        self.leaks = []

    def oci(self, *a):
        return [HULL_OCI, "--root", self.root] + list(a)

    def hull(self, *a):
        return [HULL, "--root", self.store, "--runroot", self.root] + list(a)

    def log(self, msg):
        if self.verbose:
            print(msg, flush=True)


def run(cmd, timeout=CLEANUP_TIMEOUT, check=True):
    """Run a command of the set-up or the clean-up; its failure or hang is a finding, returned
    as text.  Output goes to files, not pipes: a container started by it holds its stdio, and
    waiting for the end of a pipe would wait for the container."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as errf:
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=errf,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, "timed out after %d s: %s" % (timeout, " ".join(cmd))
        out.seek(0)
        errf.seek(0)
        p.stdout, p.stderr = out.read(), errf.read()
    if check and p.returncode != 0:
        return p, "exit %d: %s: %s" % (p.returncode, " ".join(cmd), p.stderr.strip())
    return p, None


def kill_after(cmd, delay):
    """Start cmd and SIGKILL it delay seconds later (if it is still there)."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=False)
    try:
        p.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        p.wait()
        return True


# --- set-up -------------------------------------------------------------------------------

def make_bundles(ctx):
    """Three bundles: the default cgroup (/hull/ID), a cgroupsPath of the test's, and one with
    a thousand mounts, whose init is still setting up long after the clone."""
    bundles = {}
    for name, cgroup, mounts in (("default", None, 0), ("path", "/hull-test/%s-oci" % ctx.tag, 0),
                                 ("mounts", "/hull-test/%s-oci" % ctx.tag, 1000)):
        d = os.path.join(ctx.work, "bundle-" + name)
        env = dict(os.environ)
        env.pop("HULL_TEST_CGROUP", None)
        if cgroup:
            env["HULL_TEST_CGROUP"] = cgroup
        subprocess.run([os.path.join(REPO, "tests", "data", "mkbundle.sh"), d, "sleep", "100"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        if mounts:
            path = os.path.join(d, "config.json")
            with open(path) as f:
                cfg = json.load(f)
            cfg["mounts"] += [{"destination": "/m/%d" % i, "type": "tmpfs", "source": "tmpfs"}
                              for i in range(mounts)]
            with open(path, "w") as f:
                json.dump(cfg, f)
        bundles[name] = d
    return bundles


def load_image(ctx):
    img = os.path.join(ctx.work, "img")
    subprocess.run([sys.executable, os.path.join(REPO, "tests", "data", "mkimage.py"), img,
                    os.path.join(ctx.work, "outside")], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(ctx.hull("load", "-q", "-i", os.path.join(img, "busybox.docker.tar")),
                   check=True, stdout=subprocess.DEVNULL)


def bridge_usable():
    dirs = [d for d in (os.environ.get("HULL_CNI_PATH"), "/usr/lib/cni", "/opt/cni/bin") if d]
    return (any(os.access(os.path.join(d, "bridge"), os.X_OK) for d in dirs)
            and shutil.which("iptables-save") is not None)


# --- the operations, each killed at a random moment -----------------------------------------

def op_oci_create(ctx, rnd, i, b):
    bundle = rnd.choice(["default", "path", "mounts"])
    delay = rnd.uniform(0, 0.4 if bundle == "mounts" else 0.08)
    cid = "%s-%d" % (ctx.tag, i)
    killed = kill_after(ctx.oci("create", "-b", b[bundle], cid), delay)
    return "hull-oci create (%s bundle)" % bundle, delay, killed, [cid], [], []


def op_oci_run(ctx, rnd, i, b):
    bundle = rnd.choice(["default", "path", "mounts"])
    detach = rnd.random() < 0.5
    delay = rnd.uniform(0, 0.4 if bundle == "mounts" else 0.06)
    cid = "%s-%d" % (ctx.tag, i)
    cmd = ctx.oci("run", "-b", b[bundle]) + (["-d"] if detach else []) + [cid]
    killed = kill_after(cmd, delay)
    return ("hull-oci run%s (%s bundle)" % (" -d" if detach else "", bundle), delay, killed,
            [cid], [], [])


def op_oci_start(ctx, rnd, i, b):
    bundle = rnd.choice(["default", "path"])
    cid = "%s-%d" % (ctx.tag, i)
    _, err = run(ctx.oci("create", "-b", b[bundle], cid))
    if err:
        return "hull-oci create (before start)", 0, False, [cid], [], [err]
    delay = rnd.uniform(0, 0.015)
    killed = kill_after(ctx.oci("start", cid), delay)
    return "hull-oci start (%s bundle)" % bundle, delay, killed, [cid], [], []


def op_oci_delete(ctx, rnd, i, b):
    bundle = rnd.choice(["default", "path"])
    cid = "%s-%d" % (ctx.tag, i)
    _, err = run(ctx.oci("run", "-d", "-b", b[bundle], cid))
    if err:
        return "hull-oci run -d (before delete)", 0, False, [cid], [], [err]
    delay = rnd.uniform(0, 0.015)
    killed = kill_after(ctx.oci("delete", "--force", cid), delay)
    return "hull-oci delete --force (%s bundle)" % bundle, delay, killed, [cid], [], []


def hull_run_cmd(ctx, rnd, name):
    net = ctx.network and rnd.random() < 0.5
    cmd = ctx.hull("run", "-d", "--name", name, "--cgroup-parent", "/hull-test/%s-h" % ctx.tag)
    # explicit both ways: a hull run without --network is on the default bridge network
    cmd += ["--network", "bridge" if net else "none"]
    return cmd + [IMAGE, "sleep 100"], net


def op_hull_run(ctx, rnd, i, b):
    name = "%s-n%d" % (ctx.tag, i)
    cmd, net = hull_run_cmd(ctx, rnd, name)
    delay = rnd.uniform(0, 0.6 if net else 0.35)
    killed = kill_after(cmd, delay)
    return "hull run -d%s" % (" --network bridge" if net else ""), delay, killed, [], [name], []


def op_hull_rm(ctx, rnd, i, b):
    name = "%s-n%d" % (ctx.tag, i)
    cmd, net = hull_run_cmd(ctx, rnd, name)
    _, err = run(cmd)
    if err:
        return "hull run -d (before rm)", 0, False, [], [name], [err]
    delay = rnd.uniform(0, 0.3)
    killed = kill_after(ctx.hull("rm", "-f", name), delay)
    return "hull rm -f%s" % (" (bridge)" if net else ""), delay, killed, [], [name], []


def op_hull_crash(ctx, rnd, i, b):
    """hull run -d and the monitor it forks (same command line) all killed at once, as a crash
    of the host's hull processes would: the monitor may be creating the container then."""
    name = "%s-n%d" % (ctx.tag, i)
    cmd, net = hull_run_cmd(ctx, rnd, name)
    delay = rnd.uniform(0, 0.6 if net else 0.35)
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    time.sleep(delay)
    victims = kill_marked(ctx, "--name\0%s\0" % name)
    p.wait()
    return ("hull run -d%s and its monitor" % (" --network bridge" if net else ""), delay,
            victims > 0, [], [name], [])


def kill_marked(ctx, mark):
    """SIGKILL every process of this store whose command line holds mark; how many."""
    victims = 0
    for d in glob.glob("/proc/[0-9]*"):
        try:
            with open(d + "/cmdline", "rb") as f:
                line = f.read().decode(errors="replace")
            if mark in line and ctx.store in line:
                os.kill(int(d[6:]), signal.SIGKILL)
                victims += 1
        except OSError:
            pass
    return victims


def op_hull_start(ctx, rnd, i, b):
    """hull create, then hull start killed, alone or with the monitor it forks: a start that is
    not hull run's first brings the container's networks up itself (engine/net_config.c)."""
    name = "%s-n%d" % (ctx.tag, i)
    cmd, net = hull_run_cmd(ctx, rnd, name)
    at = cmd.index("run")
    _, err = run(cmd[:at] + ["create"] + cmd[at + 2:])
    if err:
        return "hull create (before start)", 0, False, [], [name], [err]
    delay = rnd.uniform(0, 0.6 if net else 0.35)
    with_monitor = rnd.random() < 0.5
    p = subprocess.Popen(ctx.hull("start", name), stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        p.wait(timeout=delay)
        killed = False
    except subprocess.TimeoutExpired:
        if with_monitor:
            kill_marked(ctx, "start\0%s\0" % name)
        else:
            p.send_signal(signal.SIGKILL)
        p.wait()
        killed = True
    return ("hull start%s%s" % (" (bridge)" if net else "", " and its monitor" if with_monitor
                                else ""), delay, killed, [], [name], [])


OPS = [op_oci_create, op_oci_run, op_oci_start, op_oci_delete, op_hull_run, op_hull_rm,
       op_hull_crash, op_hull_start]


# --- clean-up and the check ---------------------------------------------------------------

def cleanup(ctx, ids, names):
    """What a user does after the crash; each failure is a finding."""
    errors = []
    for cid in ids:
        if os.path.lexists(os.path.join(ctx.root, cid)):
            _, err = run(ctx.oci("delete", "--force", cid))
            if err:
                errors.append(err)
    if names:
        p, err = run(ctx.hull("ps", "-a", "-q", "--no-trunc"))
        if err:
            errors.append(err)
        for cid in (p.stdout.split() if p else []):
            _, err = run(ctx.hull("rm", "-f", cid))
            if err:
                errors.append(err)
        for name in names:
            if os.path.lexists(os.path.join(ctx.store, "names", name)):
                _, err = run(ctx.hull("rm", "-f", name))
                if err:
                    errors.append(err)
    return errors


def cgroup_dirs(ctx):
    found = []
    for pattern in ("*/hull/%s-*" % ctx.tag, "*/hull-test/%s-oci" % ctx.tag,
                    "*/hull-test/%s-h/*" % ctx.tag):
        found += [d for d in glob.glob(os.path.join(CGROUP_FS, pattern)) if os.path.isdir(d)]
    return found


def stray_processes(ctx):
    marks = ("/hull/%s-" % ctx.tag, "/hull-test/%s-" % ctx.tag)
    me = {os.getpid(), os.getppid()}
    stray = []
    for d in glob.glob("/proc/[0-9]*"):
        pid = int(d[6:])
        if pid in me:
            continue
        try:
            with open(d + "/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
            with open(d + "/cgroup") as f:
                cg = f.read()
            with open(d + "/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        if any(m in cg for m in marks) or (" %s " % ctx.root) in cmd + " " or ctx.store in cmd:
            stray.append("%d (%s)" % (pid, cmd.strip()))
    return stray


def leftovers(ctx, ids, names):
    left = []
    deadline = time.monotonic() + GRACE
    while True:
        procs = stray_processes(ctx)
        if not procs or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    left += ["process " + p for p in procs]
    left += ["cgroup " + d for d in cgroup_dirs(ctx)]
    with open("/proc/self/mountinfo") as f:
        left += ["mount " + line.split()[4] for line in f
                 if ctx.work in line.split()[4] or ctx.root in line.split()[4]]
    left += ["state " + e for e in os.listdir(ctx.root) if not e.startswith(".")]
    netns = os.path.join(ctx.root, ".netns")
    left += ["netns " + e for e in (os.listdir(netns) if os.path.isdir(netns) else [])]
    for sub, what in (("containers", "record"), ("names", "name")):
        d = os.path.join(ctx.store, sub)
        left += ["%s %s" % (what, e) for e in (os.listdir(d) if os.path.isdir(d) else [])]
    ipam = os.path.join(ctx.root, ".cni", "ipam", "hull")
    if os.path.isdir(ipam):
        left += ["CNI address " + e for e in os.listdir(ipam)
                 if not e.startswith("last_reserved_ip") and e != "lock"]
    return left


def iptables_left(ctx, cids):
    if not ctx.network or not cids:
        return []
    p = subprocess.run(["iptables-save"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True)
    return ["iptables rule " + line for line in p.stdout.splitlines()
            if any(c in line for c in cids)]


def scrub(ctx):
    """After a leak: remove it by force, so that the next iteration starts clean."""
    for line in open("/proc/self/mountinfo").read().splitlines()[::-1]:
        mp = line.split()[4]
        if ctx.work in mp or ctx.root in mp:
            subprocess.run(["umount", "-l", mp], stderr=subprocess.DEVNULL)
    for p in stray_processes(ctx):
        try:
            os.kill(int(p.split()[0]), signal.SIGKILL)
        except OSError:
            pass
    time.sleep(0.2)
    for d in sorted(cgroup_dirs(ctx), key=len, reverse=True):
        try:
            os.rmdir(d)
        except OSError:
            pass
    for e in os.listdir(ctx.root):
        if not e.startswith("."):
            shutil.rmtree(os.path.join(ctx.root, e), ignore_errors=True)
    netns = os.path.join(ctx.root, ".netns")
    ipam = os.path.join(ctx.root, ".cni", "ipam", "hull")
    for d, keep in ((netns, ()), (ipam, ("lock",))):
        for e in os.listdir(d) if os.path.isdir(d) else []:
            if e not in keep and not e.startswith("last_reserved_ip"):
                os.unlink(os.path.join(d, e))
    for sub in ("containers", "names"):
        d = os.path.join(ctx.store, sub)
        for e in os.listdir(d) if os.path.isdir(d) else []:
            p = os.path.join(d, e)
            if os.path.islink(p):
                os.unlink(p)
            else:
                shutil.rmtree(p, ignore_errors=True)


def hull_ids(ctx):
    d = os.path.join(ctx.store, "containers")
    return set(os.listdir(d)) if os.path.isdir(d) else set()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--iterations", type=int,
                    default=int(os.environ.get("FAULT_ITERATIONS", "200")))
    ap.add_argument("--seed", type=int,
                    default=int(os.environ["FAULT_SEED"]) if os.environ.get("FAULT_SEED")
                    else random.SystemRandom().randrange(1 << 32))
    ap.add_argument("--time-limit", type=float,
                    default=float(os.environ.get("FAULT_TIME_LIMIT", "1800")))
    ap.add_argument("--root", default="/run/hull-fault/%d" % os.getpid())
    ap.add_argument("--work", default="/var/tmp/hull-fault/%d" % os.getpid())
    ap.add_argument("--tag", default="fault%d" % os.getpid())
    ap.add_argument("--no-network", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    if os.geteuid() != 0:
        print("SKIP: needs root (namespaces, mounts, cgroups)")
        return 77
    for b in (HULL_OCI, HULL):
        if not os.access(b, os.X_OK):
            print("SKIP: %s is not built (make all)" % b)
            return 77
    ctx = Ctx(args)
    own_work, own_root = not os.path.exists(ctx.work), not os.path.exists(ctx.root)
    os.makedirs(ctx.root, exist_ok=True)
    os.makedirs(ctx.work, exist_ok=True)
    ctx.network = not args.no_network and bridge_usable()
    print("fault injection: seed %d, %d iterations, bridge network %s"
          % (args.seed, args.iterations, "on" if ctx.network else "off"), flush=True)
    rnd = random.Random(args.seed)
    start = time.monotonic()
    bundles = make_bundles(ctx)
    load_image(ctx)
    failures = done = 0
    killed_count = 0
    for i in range(args.iterations):
        if time.monotonic() - start > args.time_limit:
            print("time limit of %.0f s reached after %d iterations" % (args.time_limit, done))
            break
        op = rnd.choice(OPS)
        before = hull_ids(ctx)
        what, delay, killed, ids, names, findings = op(ctx, rnd, i, bundles)
        killed_count += killed
        cids = list(ids) + sorted(hull_ids(ctx) - before)
        findings += cleanup(ctx, ids, names)
        findings += leftovers(ctx, ids, names)
        findings += iptables_left(ctx, cids)
        done += 1
        line = "%3d %-40s killed at %5.1f ms%s" % (i, what, delay * 1000,
                                                    "" if killed else " (had finished)")
        if findings:
            failures += 1
            print("LEAK " + line, flush=True)
            for f in findings:
                print("     " + f, flush=True)
            scrub(ctx)
        else:
            ctx.log("ok   " + line)
    subprocess.run(ctx.hull("rmi", IMAGE), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for d in glob.glob(os.path.join(CGROUP_FS, "*", "hull-test", ctx.tag + "-*")):
        try:
            os.rmdir(d)
        except OSError:
            pass
    if own_work:
        shutil.rmtree(ctx.work, ignore_errors=True)
    if own_root:
        shutil.rmtree(ctx.root, ignore_errors=True)
    print("%d iterations (%d killed mid-way, seed %d) in %.1f s: %d leaked"
          % (done, killed_count, args.seed, time.monotonic() - start, failures), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
