#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""mutate.py: hull's own mutation testing (`make mutate`).

Puts one small fault at a time into a source file (a *mutant*), rebuilds, runs the tests that
cover that file, and reports whether they noticed:

  caught       a test failed
  missed       every test passed: the fault got past the suite (its diff is printed)
  equivalent   listed in tests/mutate/equivalent.txt (not run): no test can tell it apart
  timeout      the tests hit their time limit (counted apart; a hang is usually a catch)
  build        the mutant does not compile (-Werror): counted apart, says nothing of the tests

Score of a file: caught / (caught + missed).

Never touches the checkout it is run from: the tree (with its build/, for quick incremental
builds) is copied once into a scratch folder under /tmp, each mutant is written there, built,
tested and undone; the folder is removed at the end (MUTATE_KEEP=1 keeps it).

Usage: scripts/mutate.py [--files "a.c b.c"] [--list] [--self-test]
       make mutate [FILES="runtime/hooks.c lib/size.c"]

Environment:
  MUTATE_SEED     seed of the mutant choice (default 1): the same seed picks the same mutants
  MUTATE_MAX      mutants to run in all, spread over the files (default 20)
  MUTATE_SECONDS  time budget: no mutant is started after it (default 1800)
  MUTATE_TEST_TIMEOUT  each integration test's limit in a mutant run (HULL_TEST_TIMEOUT,
                  default 60 s)
  MUTATE_REPORT   where the report is written as well (default build/mutate-report.txt)
  MUTATE_KEEP     1: keep the scratch copy
  MUTATE_ONLY     only the mutants whose FILE:LINE:OPERATOR contains this text (or one of
                  several, comma-separated)
  MUTATE_BASELINE 0: skip the run of each file's tests on the unmutated tree (when a run just
                  before passed them); a mutant's tests then get 3 * MUTATE_BASELINE_SECONDS
                  (default 120) + 120 s

Which tests cover which file: tests/mutate/map.txt.  Operators (one change per mutant):

  cmp-flip      a comparison flipped: < <-> >=, > <-> <=, == <-> !=
  mask-drop     one flag dropped from an `A | B` mask of constants
  early-return  `return 0;` (or `return true;`) first thing in an int (bool) function
  skip-call     `if (f(...) < 0)` becomes `if (0)`: the checked call is not made
  constant      an integer constant changed: 0 <-> 1, N -> N+1
"""
import argparse
import difflib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
MAP = os.path.join(REPO, "tests", "mutate", "map.txt")
EQUIV = os.path.join(REPO, "tests", "mutate", "equivalent.txt")

OPERATORS = ("cmp-flip", "mask-drop", "early-return", "skip-call", "constant")


class Mutant:
    def __init__(self, path, op, lineno, old, new, func=None):
        self.path, self.op, self.lineno, self.old, self.new = path, op, lineno, old, new
        self.func = func  # the function the line is in (None outside any)

    def key(self):
        return "%s:%d:%s" % (self.path, self.lineno, self.op)

    def diff(self):
        return "".join(difflib.unified_diff(
            [self.old + "\n"], [self.new + "\n"], "a/" + self.path, "b/" + self.path,
            n=0)).replace("@@ -1 +1 @@", "@@ -%d +%d @@" % (self.lineno, self.lineno))


# --- reading C, just enough ---------------------------------------------------------------

def code_masks(lines):
    """For each line, the line with comments and string/char literals blanked out (same length),
    or None for lines that are not code to mutate (preprocessor, blank)."""
    out = []
    in_comment = False
    in_macro = False
    for line in lines:
        if in_macro or (not in_comment and line.lstrip().startswith("#")):
            in_macro = line.rstrip().endswith("\\")
            out.append(None)
            continue
        m = []
        i = 0
        quote = None
        while i < len(line):
            c = line[i]
            if in_comment:
                if line.startswith("*/", i):
                    in_comment = False
                    m.append("  ")
                    i += 2
                    continue
                m.append(" ")
            elif quote:
                if c == "\\":
                    m.append("  ")
                    i += 2
                    continue
                if c == quote:
                    quote = None
                    m.append(c)
                else:
                    m.append(" ")
            elif line.startswith("/*", i):
                in_comment = True
                m.append("  ")
                i += 2
                continue
            elif line.startswith("//", i):
                m.append(" " * (len(line) - i))
                break
            elif c in "\"'":
                quote = c
                m.append(c)
            else:
                m.append(c)
            i += 1
        masked = "".join(m)[:len(line)]
        out.append(masked if masked.strip() else None)
    return out


CMP = re.compile(r"<<=?|>>=?|->|<=|>=|==|!=|<|>")
FLIP = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "==": "!=", "!=": "=="}
FLAG = r"[A-Z][A-Z0-9_]*"
PIPE = re.compile(r"(?<![|])\|(?![|=])")
NUM = re.compile(r"(?<![\w.])(\d+)([uUlL]*)(?![\w.])")
FUNC_START = re.compile(r"^(?:static\s+|inline\s+|__attribute__\(\([^)]*\)\)\s+)*(int|bool)\s+\**\s*\w+\s*\(")


def cmp_flip(line, masked):
    for m in CMP.finditer(masked):
        op = m.group(0)
        if op in FLIP:
            yield line[:m.start()] + FLIP[op] + line[m.end():]


def mask_drop(line, masked):
    for m in PIPE.finditer(masked):
        left = re.search(r"(" + FLAG + r")\s*$", masked[:m.start()])
        right = re.match(r"\s*(" + FLAG + r")\b(?!\s*\()", masked[m.end():])
        if not left or not right:
            continue
        r_start = m.end() + right.start(1)
        r_end = m.end() + right.end(1)
        # O_RDONLY is 0: dropping it changes nothing
        if right.group(1) != "O_RDONLY":
            yield line[:left.end(1)] + line[r_end:]  # drop the right one
        if left.group(1) != "O_RDONLY":
            yield line[:left.start(1)] + line[r_start:]  # drop the left one


def matching_paren(s, i):
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "(":
            depth += 1
        elif s[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    return -1


def skip_call(line, masked):
    for m in re.finditer(r"\bif \(", masked):
        open_ = m.end() - 1
        close = matching_paren(masked, open_)
        if close < 0:
            continue
        inner = masked[open_ + 1:close]
        c = re.match(r"\s*[A-Za-z_][\w.>-]*\(", inner)
        if not c:
            continue
        call_close = matching_paren(inner, c.end() - 1)
        if call_close < 0 or not re.fullmatch(r"\s*<\s*0\s*", inner[call_close + 1:]):
            continue
        yield line[:open_ + 1] + "0" + line[close:]


def constant(line, masked):
    for m in NUM.finditer(masked):
        before = masked[:m.start()].rstrip()
        after = masked[m.end():].lstrip()
        if before.endswith("[") and after.startswith("]"):
            continue  # an array's size: a bigger buffer says nothing
        digits = m.group(1)
        if len(digits) > 1 and digits[0] == "0":  # octal (modes): stays octal
            new = "0%o" % (int(digits, 8) + 1)
        else:
            n = int(digits)
            new = {0: "1", 1: "0"}.get(n, str(n + 1))
        yield line[:m.start(1)] + new + line[m.end(1):]


def early_returns(lines, masks):
    """(index of a function's opening `{`, the line with the return added)"""
    for i, line in enumerate(lines):
        if line != "{" or i == 0:
            continue
        j = i - 1
        while j > 0 and lines[j][:1] in (" ", "\t"):
            j -= 1  # a signature on several lines
        f = FUNC_START.match(lines[j])
        if f and masks[j] is not None:
            yield i, "{ return %s;" % ("0" if f.group(1) == "int" else "true")


LINE_OPS = (("cmp-flip", cmp_flip), ("mask-drop", mask_drop), ("skip-call", skip_call),
            ("constant", constant))


FUNC_DEF = re.compile(r"^[A-Za-z_][^;]*?\b([A-Za-z_]\w*)\s*\([^;]*$")


def functions_of(lines):
    """For each line, the name of the function whose definition it is in (or None): a
    definition starts at column 0 (the kernel style this tree is formatted in)."""
    out, cur = [], None
    for line in lines:
        m = FUNC_DEF.match(line)
        if m:
            cur = m.group(1)
        elif line.startswith("}"):
            out.append(cur)
            cur = None
            continue
        out.append(cur)
    return out


def mutants_of(path, text):
    lines = text.split("\n")
    masks = code_masks(lines)
    funcs = functions_of(lines)
    out = []
    seen = set()
    for i, (line, masked) in enumerate(zip(lines, masks)):
        if masked is None:
            continue
        for op, gen in LINE_OPS:
            for new in gen(line, masked):
                if new != line and (i, new) not in seen:
                    seen.add((i, new))
                    out.append(Mutant(path, op, i + 1, line, new, funcs[i]))
    for i, new in early_returns(lines, masks):
        out.append(Mutant(path, "early-return", i + 1, lines[i], new, funcs[i]))
    return out


def apply(text, mutant):
    lines = text.split("\n")
    assert lines[mutant.lineno - 1] == mutant.old
    lines[mutant.lineno - 1] = mutant.new
    return "\n".join(lines)


# --- the map and the equivalent list --------------------------------------------------------

def read_map(path=MAP):
    """FILE unit:TEST_BINARY... int:FILTER... per line"""
    m = {}
    for raw in open(path):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        f, *tests = line.split()
        unit = [t[5:] for t in tests if t.startswith("unit:")]
        integ = [t[4:] for t in tests if t.startswith("int:")]
        bad = [t for t in tests if not t.startswith(("unit:", "int:"))]
        if bad:
            sys.exit("%s: `%s`: not unit:NAME or int:FILTER: %s" % (path, f, " ".join(bad)))
        # a file on several lines (two branches each added tests) gets all of them
        u0, i0 = m.get(f, ([], []))
        m[f] = (u0 + [u for u in unit if u not in u0], i0 + [i for i in integ if i not in i0])
    return m


def read_equivalent(path=EQUIV):
    """FILE[:FUNCTION] | OPERATOR | LINE TEXT [=> MUTATED TEXT] | WHY, one per line; returns
    (FILE, OPERATOR, LINE, MUTATED or None, FUNCTION or None) tuples"""
    eq = []
    for n, raw in enumerate(open(path), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        # the line text may hold " | " itself (a mask): FILE and OPERATOR are the first two
        # fields, WHY the last, the line all between
        parts = [p.strip() for p in raw.rstrip("\n").split(" | ")]
        if len(parts) < 4 or parts[1] not in OPERATORS or not parts[-1]:
            sys.exit("%s:%d: want FILE | OPERATOR | LINE [=> MUTATED] | WHY" % (path, n))
        old, _, new = " | ".join(parts[2:-1]).partition(" => ")
        f, _, func = parts[0].partition(":")
        eq.append((f, parts[1], old.strip(), new.strip() or None, func or None))
    return eq


def is_equivalent(m, eq):
    for f, op, old, new, func in eq:
        if (f == m.path and op == m.op and old == m.old.strip() and
                (new is None or new == m.new.strip()) and (func is None or func == m.func)):
            return True
    return False


# --- running ---------------------------------------------------------------------------------

def kill_session(sid):
    """SIGKILL every process of session sid, in whatever process group (a test runner puts
    its tests in groups of their own: a hung `hull load` outlived a group kill)."""
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and os.getsid(int(pid)) == sid:
                os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def sh(cmd, cwd, timeout, env=None):
    """Run cmd in a session of its own; at the timeout the whole session is killed (a hung
    unit test binary would otherwise outlive its runner and spin on through later mutants)."""
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         env=env, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out.decode(errors="replace")
    except subprocess.TimeoutExpired:
        kill_session(p.pid)
        out, _ = p.communicate()
        return None, (out or b"").decode(errors="replace")


class Scratch:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="hull-mutate.", dir="/tmp")
        self.tree = os.path.join(self.dir, "tree")
        os.mkdir(self.tree)
        # the tree and its build, without .git (a worktree's .git points at the shared one)
        subprocess.run("tar --exclude=./.git -C %s -cf - . | tar -C %s -xf -" % (
            sh_quote(REPO), sh_quote(self.tree)), shell=True, check=True)

    def build(self, unit_bins, mutant=False):
        targets = ["all", "build/tests/imgbundle"] + ["build/tests/" + u for u in unit_bins]
        # a mutant is built without -Werror: an unused function or variable it leaves (a
        # skipped call) is no reason to drop it
        flags = ["WARN=-w"] if mutant else []
        return sh(["nice", "-n", "10", "make", "-j2", "--no-print-directory"] + flags + targets,
                  self.tree, 1800)

    def test(self, unit, integ, timeout):
        env = dict(os.environ, HULL_TEST_TIMEOUT=str(test_timeout()))
        env.pop("HULL_OCI", None)
        env.pop("HULL", None)
        out, failed, passed, timed_out = "", False, 0, False
        for kind, filters in (("unit", unit), ("integration", integ)):
            if not filters:
                continue
            rc, o = sh(["nice", "-n", "10", "tests/run.sh", kind] + filters, self.tree,
                       timeout, env)
            out += o
            # a test that failed by itself is a catch, even when another one ran out of time
            # (a VM test can, on a busy machine)
            blocks = re.split(r"^(?=FAIL )", o, flags=re.M)[1:]
            if any(not re.search(r"TIMED OUT|\(timed out", b) for b in blocks):
                failed = True
            elif rc is None or "(timed out" in o or "TIMED OUT" in o:
                timed_out = True
            elif rc != 0:
                failed = True
            passed += len(re.findall(r"^PASS ", o, re.M))
            if failed or timed_out:  # the verdict is known: no need to run the rest
                break
        return failed, timed_out, passed, out

    def remove(self):
        if os.environ.get("MUTATE_KEEP") == "1":
            print("scratch copy kept: %s" % self.tree)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


TEST_CGROUPS = "/sys/fs/cgroup/*/hull-test/*"


def test_cgroups():
    import glob
    return set(glob.glob(TEST_CGROUPS))


def frozen(d):
    for f, on in (("freezer.state", "FROZEN"), ("cgroup.freeze", "1")):
        try:
            with open(os.path.join(d, f)) as fh:
                if fh.read().strip() == on:
                    return True
        except OSError:
            pass
    return False


def sweep_frozen(before):
    """A mutant that breaks resume leaves its container frozen, and the test's own clean-up
    (the same mutated binary) cannot kill it.  The test cgroups made since `before` that are
    frozen are thawed, their processes killed and the directories removed, so the next mutant
    starts on a clean host.  Others' cgroups (not frozen, or there before) are not touched.
    Returns how many were swept."""
    names = {os.path.basename(d) for d in test_cgroups() - before if frozen(d)}
    dirs = [d for d in test_cgroups() - before if os.path.basename(d) in names]
    for d in dirs:
        for f, v in (("freezer.state", "THAWED"), ("cgroup.freeze", "0")):
            try:
                with open(os.path.join(d, f), "w") as fh:
                    fh.write(v)
            except OSError:
                pass
    for d in dirs:
        try:
            with open(os.path.join(d, "cgroup.procs")) as fh:
                for pid in fh.read().split():
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except OSError:
                        pass
        except OSError:
            pass
    time.sleep(0.2 if dirs else 0)
    for d in dirs:
        for sub, _, _ in sorted(os.walk(d), key=lambda w: -len(w[0])):
            try:
                os.rmdir(sub)
            except OSError:
                pass
    return len(names)


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        sys.exit("%s must be a number" % name)


def test_timeout():
    return env_int("MUTATE_TEST_TIMEOUT", 60)


def choose(per_file, seed, limit):
    """Up to limit mutants, taken from each file in turn; within a file, from each operator in
    turn (constants outnumber the rest), each operator's mutants shuffled with the seed."""
    rng = random.Random(seed)
    queues = []
    for f in sorted(per_file):
        groups = []
        for op in OPERATORS:
            g = [m for m in per_file[f] if m.op == op]
            rng.shuffle(g)
            groups.append(g)
        rng.shuffle(groups)
        ms = []
        while any(groups):
            for g in groups:
                if g:
                    ms.append(g.pop(0))
        queues.append(ms)
    chosen = []
    while len(chosen) < limit and any(queues):
        for q in queues:
            if q and len(chosen) < limit:
                chosen.append(q.pop(0))
    return chosen


def run(files, listing):
    mapping = read_map()
    eq = read_equivalent()
    if not files:
        files = sorted(mapping)
    for f in files:
        if f not in mapping:
            sys.exit("%s has no tests in %s: add a line for it" % (f, os.path.relpath(MAP, REPO)))
        if not os.path.isfile(os.path.join(REPO, f)):
            sys.exit("%s: no such file" % f)
    seed = env_int("MUTATE_SEED", 1)
    limit = env_int("MUTATE_MAX", 20)
    budget = env_int("MUTATE_SECONDS", 1800)
    texts = {f: open(os.path.join(REPO, f)).read() for f in files}
    per_file = {f: mutants_of(f, texts[f]) for f in files}
    only = os.environ.get("MUTATE_ONLY")
    if only:  # the mutants whose FILE:LINE:OPERATOR contains one of these (to check again)
        keys = only.split(",")
        per_file = {f: [m for m in ms if any(k in m.key() for k in keys)]
                    for f, ms in per_file.items()}
    chosen = choose(per_file, seed, limit)
    if listing:
        for m in chosen:
            print("%s %s\n%s" % (m.key(), "(equivalent)" if is_equivalent(m, eq) else "", m.diff()))
        return 0

    start = time.time()
    results = {f: {"caught": 0, "missed": 0, "equivalent": 0, "timeout": 0, "build": 0,
                   "not run": 0} for f in files}
    misses, baseline = [], {}
    report = []

    def say(s):
        print(s, flush=True)
        report.append(s)

    say("mutate: seed %d, %d of %d mutants in %s, budget %d s" % (
        seed, len(chosen), sum(len(v) for v in per_file.values()), " ".join(files), budget))
    scratch = Scratch()
    try:
        rc, out = scratch.build(sorted({u for f in files for u in mapping[f][0]}))
        if rc != 0:
            say("the unmutated tree does not build:\n" + out[-3000:])
            return 2
        for f in files:
            unit, integ = mapping[f]
            if os.environ.get("MUTATE_BASELINE") == "0":  # passed in a run just before
                baseline[f] = env_int("MUTATE_BASELINE_SECONDS", 120)
                continue
            t0 = time.time()
            failed, timed_out, passed, out = scratch.test(unit, integ, 3600)
            baseline[f] = time.time() - t0
            say("baseline %s: %d tests passed in %d s" % (f, passed, baseline[f]))
            if failed or timed_out or passed == 0:
                say("%s: its tests do not pass on the unmutated tree (%d passed): its mutants "
                    "are not run\n%s" % (f, passed, out[-2000:]))
                baseline[f] = None
        for n, m in enumerate(chosen, 1):
            r = results[m.path]
            if baseline[m.path] is None:
                r["not run"] += 1
                continue
            if is_equivalent(m, eq):
                r["equivalent"] += 1
                say("[%d/%d] %s equivalent (listed)" % (n, len(chosen), m.key()))
                continue
            if time.time() - start > budget:
                r["not run"] += 1
                continue
            src = os.path.join(scratch.tree, m.path)
            with open(src, "w") as fh:
                fh.write(apply(texts[m.path], m))
            try:
                rc, out = scratch.build(mapping[m.path][0], mutant=True)
                if rc != 0:
                    verdict = "build"
                else:
                    before = test_cgroups()
                    failed, timed_out, passed, out = scratch.test(
                        *mapping[m.path], timeout=3 * baseline[m.path] + 120)
                    verdict = "timeout" if timed_out else "caught" if failed else "missed"
                    swept = sweep_frozen(before)
                    if swept:
                        say("  (%d frozen test cgroup(s) of this mutant swept)" % swept)
            finally:
                with open(src, "w") as fh:
                    fh.write(texts[m.path])
            r[verdict] += 1
            say("[%d/%d] %s %s: %s" % (n, len(chosen), m.key(), verdict, m.new.strip()))
            if verdict == "missed":
                misses.append(m)
    finally:
        scratch.remove()

    say("\n%-36s %6s %6s %6s %6s %6s %6s  %s" % ("file", "caught", "missed", "equiv", "tmout",
                                                "build", "notrun", "score"))
    tc = tm = tt = 0
    for f in files:
        r = results[f]
        tc += r["caught"]
        tm += r["missed"]
        tt += r["timeout"]
        score = ("%3.0f%%" % (100.0 * r["caught"] / (r["caught"] + r["missed"]))
                 if r["caught"] + r["missed"] else "-")
        say("%-36s %6d %6d %6d %6d %6d %6d  %s" % (f, r["caught"], r["missed"], r["equivalent"],
                                                  r["timeout"], r["build"], r["not run"], score))
    if tc + tm:
        say("total: %d caught, %d missed: %.0f%% (and %d timeouts: noticed, but by a hang)" % (
            tc, tm, 100.0 * tc / (tc + tm), tt))
    for m in misses:
        say("\nMISSED %s (%s)\n%s" % (m.key(), m.op, m.diff().rstrip()))
    dest = os.environ.get("MUTATE_REPORT", os.path.join(REPO, "build", "mutate-report.txt"))
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "w") as fh:
        fh.write("\n".join(report) + "\n")
    say("\nreport: %s (%d s)" % (dest, time.time() - start))
    return 0


# --- the harness's own check (tests/unit/test_mutate.py, run by `make test`) -------------

SAMPLE = """#include <stdio.h>
#define LIMIT 10 /* not mutated: preprocessor */
static int check(int n, const char *s)
{
	if (n < 0 || n >= LIMIT) /* a < b in a comment */
		return -1;
	if (open_it("a < b", O_WRONLY | O_CLOEXEC) < 0)
		return -1;
	return n == 3 ? 1 : 0;
}

void nothing(void)
{
	char buf[64];
	x->y = 0;
	fd = open(p, O_RDONLY | O_NONBLOCK);
}
"""


def self_test():
    """TAP-like lines, as the unit tests print: 'ok - NAME' or 'not ok - NAME: WHY'."""
    ms = mutants_of("sample.c", SAMPLE)
    got = {(m.op, m.lineno, m.new.strip()) for m in ms}
    checks = [
        ("cmp-flip < to >=", ("cmp-flip", 5, "if (n >= 0 || n >= LIMIT) /* a < b in a comment */")),
        ("cmp-flip >= to <", ("cmp-flip", 5, "if (n < 0 || n < LIMIT) /* a < b in a comment */")),
        ("cmp-flip == to !=", ("cmp-flip", 9, "return n != 3 ? 1 : 0;")),
        ("mask-drop right", ("mask-drop", 7, 'if (open_it("a < b", O_WRONLY) < 0)')),
        ("mask-drop left", ("mask-drop", 7, 'if (open_it("a < b", O_CLOEXEC) < 0)')),
        ("skip-call", ("skip-call", 7, "if (0)")),
        ("constant 0 to 1", ("constant", 5, "if (n < 1 || n >= LIMIT) /* a < b in a comment */")),
        ("constant 3 to 4", ("constant", 9, "return n == 4 ? 1 : 0;")),
        ("early-return in an int function", ("early-return", 4, "{ return 0;")),
        ("mask-drop next to O_RDONLY", ("mask-drop", 16, "fd = open(p, O_RDONLY);")),
    ]
    fails = 0
    for name, want in checks:
        if want in got:
            print("ok - mutate: %s" % name)
        else:
            fails += 1
            print("not ok - mutate: %s: %r not among %r" % (name, want, sorted(got)))
    never = [
        ("no O_RDONLY dropped (it is 0)", lambda m: m.op == "mask-drop" and m.lineno == 16
         and "O_RDONLY" not in m.new),
        ("no mutant in a comment or string", lambda m: "a >= b" in m.new or "a > b" in m.new),
        ("no mutant of the preprocessor", lambda m: m.lineno in (1, 2)),
        ("no mutant of ->", lambda m: "-<=" in m.new or "->=" in m.new),
        ("no early return in a void function", lambda m: m.op == "early-return" and m.lineno == 13),
        ("no array size changed", lambda m: "buf[65]" in m.new),
    ]
    for name, bad in never:
        hit = [m.new for m in ms if bad(m)]
        if hit:
            fails += 1
            print("not ok - mutate: %s: %r" % (name, hit))
        else:
            print("ok - mutate: %s" % name)
    # an equivalent entry may name the function its line is in (the same line text elsewhere
    # in the file is then not covered)
    funcs = {m.lineno: m.func for m in ms}
    eq = [("sample.c", "constant", "return n == 3 ? 1 : 0;", None, "check"),
          ("sample.c", "mask-drop", "fd = open(p, O_RDONLY | O_NONBLOCK);", None, "check")]
    hits = sorted({m.lineno for m in ms if is_equivalent(m, eq)})
    if funcs.get(5) == "check" and funcs.get(16) == "nothing" and hits == [9]:
        print("ok - mutate: equivalent entries limited to a function")
    else:
        fails += 1
        print("not ok - mutate: equivalent entries limited to a function: %r %r" % (funcs, hits))
    # a mutant applies to its line only, and the same seed chooses the same mutants
    m = next(x for x in ms if x.op == "skip-call")
    text = apply(SAMPLE, m)
    if text.count("\n") == SAMPLE.count("\n") and "if (0)" in text and "open_it" not in text:
        print("ok - mutate: apply changes one line")
    else:
        fails += 1
        print("not ok - mutate: apply changes one line")
    a = [x.key() + x.new for x in choose({"s.c": ms}, 7, 5)]
    b = [x.key() + x.new for x in choose({"s.c": ms}, 7, 5)]
    if a == b and len(a) == 5:
        print("ok - mutate: seeded choice is repeatable")
    else:
        fails += 1
        print("not ok - mutate: seeded choice is repeatable")
    # the map and the equivalent list parse, and name files that exist
    try:
        mp = read_map()
        eq = read_equivalent()
        missing = [f for f in mp if not os.path.isfile(os.path.join(REPO, f))]
        # every test named still exists: a renamed test would silently leave a file unguarded
        idir = os.path.join(REPO, "tests", "integration")
        names = set()
        for sh_file in os.listdir(idir):
            if sh_file.endswith(".sh"):
                names.update(re.findall(r"^(test_\w+)\(\)", open(os.path.join(idir, sh_file)).read(), re.M))
        missing += ["int:" + t for u, i in mp.values() for t in i if not any(t in n for n in names)]
        missing += ["unit:" + t for u, i in mp.values() for t in u
                    if not os.path.isfile(os.path.join(REPO, "tests", "unit", t + ".c"))]
        missing += [e[0] for e in eq if not os.path.isfile(os.path.join(REPO, e[0]))]
        stale = [e for e in eq if not os.path.isfile(os.path.join(REPO, e[0])) or not any(
            is_equivalent(m, [e]) for m in mutants_of(e[0], open(os.path.join(REPO, e[0])).read()))]
        if missing or stale:
            raise ValueError("missing files or tests %s; equivalent entries that match no mutant: %s" % (
                missing, stale))
        print("ok - mutate: map.txt and equivalent.txt")
    except (SystemExit, ValueError, OSError) as e:
        fails += 1
        print("not ok - mutate: map.txt and equivalent.txt: %s" % e)
    return 1 if fails else 0


def main():
    ap = argparse.ArgumentParser(description="mutation testing of hull's own tests")
    ap.add_argument("--files", default=os.environ.get("FILES", ""),
                    help="source files to mutate (default: every file in tests/mutate/map.txt)")
    ap.add_argument("--list", action="store_true", help="print the chosen mutants, run nothing")
    ap.add_argument("--self-test", action="store_true", help="check the operators on a sample")
    a = ap.parse_args()
    if a.self_test:
        return self_test()
    return run(a.files.split(), a.list)


if __name__ == "__main__":
    sys.exit(main())
