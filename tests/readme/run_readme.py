#!/usr/bin/python3
"""Runs the README's walkthroughs against the real binary, so they cannot drift.

Every ```sh block of README.md is a command block a user is told to type. This script starts
the demo the way `make run` does (server/demo/run-demo.sh with the built r53sim, on the ports the
README names: DNS 127.0.0.1:1053, admin 127.0.0.1:8053, endpoints 127.0.0.11/12:8443), then runs
each block in README order with `bash -e` from the repository root, with r53sim, dig, curl and
aws on PATH. A block that fails fails the test, naming its heading, README line and first line.

Conventions (README "Development"):
  - Output and transcripts are ```text or ```console and are not run; every fence names its
    language, so a block is never run or skipped by accident.
  - A ```sh block the test cannot run (it needs docker, an etcd cluster, or never ends) is
    preceded by `<!-- readme-test: skip (reason) -->`; the reason is required and printed.
  - curl runs with --fail-with-body: an admin call answered with an HTTP error fails its block,
    as a typo in a route or parameter would.
  - The aws CLI gets the dummy credentials the README's Route 53 section exports, and no
    config or credentials file of the user's.

Everything listens on loopback. The demo and every block run in their own process group,
which is stopped by its id afterwards; the script then checks that the demo's ports are free
again, so nothing is left behind.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

DEMO_PORTS = [("127.0.0.1", 1053, "udp"), ("127.0.0.1", 1053, "tcp"), ("127.0.0.1", 8053, "tcp"),
              ("127.0.0.11", 8443, "tcp"), ("127.0.0.12", 8443, "tcp")]
ADMIN = "http://127.0.0.1:8053"
BLOCK_TIMEOUT = 120  # seconds; the slowest block (the aws CLI walkthrough) takes a few
SKIP_MARKER = re.compile(r"^<!--\s*readme-test:\s*skip\s*\((?P<reason>[^)]+)\)\s*-->$")
FENCE = re.compile(r"^```(?P<lang>[A-Za-z0-9_+-]*)\s*$")


class Block:
    def __init__(self, lang, heading, line, text, skip):
        self.lang, self.heading, self.line, self.text, self.skip = lang, heading, line, text, skip

    def first_line(self):
        return next((l for l in self.text.splitlines() if l.strip()), "")

    def where(self):
        return f'README.md:{self.line} (section "{self.heading}")'


def parse_readme(path):
    """Every fenced block with its language, section heading, line and skip marker."""
    blocks, problems = [], []
    heading, marker = "(top)", None
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence:
            start = i + 1
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            if i == len(lines):
                problems.append(f"README.md:{start}: the block is never closed")
            lang = fence.group("lang")
            if not lang:
                problems.append(f"README.md:{start}: a block without a language; say ```sh if "
                                "the user types it, ```text or ```console if it is output")
            blocks.append(Block(lang, heading, start, "\n".join(body) + "\n", marker))
            if marker and lang != "sh":
                problems.append(f"README.md:{start}: a skip marker before a ```{lang} block "
                                "(only ```sh blocks run)")
            marker = None
        elif line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif line.strip().startswith("<!--") and "readme-test" in line:
            m = SKIP_MARKER.match(line.strip())
            if not m:
                problems.append(f"README.md:{i + 1}: a readme-test marker must read "
                                "<!-- readme-test: skip (reason) -->")
            else:
                marker = m.group("reason").strip()
        elif line.strip() and marker:
            problems.append(f"README.md:{i + 1}: a skip marker must come right before its block")
            marker = None
        i += 1
    return blocks, problems


def port_in_use(host, port, proto):
    kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, kind) as s:
        # As the servers bind: a closed connection's TIME_WAIT does not hold the port.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def busy_ports():
    return [f"{h}:{p}/{proto}" for h, p, proto in DEMO_PORTS if port_in_use(h, p, proto)]


def stop_group(proc, timeout=10):
    """SIGTERM to the process group we started (its id is our child's pid), then SIGKILL."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        proc.poll()
        time.sleep(0.05)
    else:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


def wait_demo_ready(demo, log_path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if demo.poll() is not None:
            raise SystemExit(f"the demo exited with {demo.returncode}:\n{open(log_path).read()}")
        try:
            with urllib.request.urlopen(ADMIN + "/readyz", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise SystemExit(f"the demo was not ready within {timeout}s:\n{open(log_path).read()}")


def tool_dir(work, binary):
    """A bin directory first on PATH: r53sim from the build tree, curl failing on HTTP errors."""
    bin_dir = os.path.join(work, "bin")
    os.makedirs(bin_dir)
    os.symlink(binary, os.path.join(bin_dir, "r53sim"))
    real_curl = shutil.which("curl")
    with open(os.path.join(bin_dir, "curl"), "w") as f:
        f.write(f'#!/bin/sh\nexec {real_curl} --fail-with-body "$@"\n')
    os.chmod(os.path.join(bin_dir, "curl"), 0o755)
    return bin_dir


def block_env(work, bin_dir):
    env = dict(os.environ)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    # What the README's Route 53 section tells the user to export; never the user's own files.
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=os.path.join(work, "aws-config"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(work, "aws-credentials"),
               AWS_PAGER="", NO_COLOR="1")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "R53SIM_ADMIN",
                 "R53SIM_DNS", "R53SIM_CONFIG"):
        env.pop(name, None)
    return env


def run_block(block, source_dir, env, work, index):
    """Runs one block; returns its exit status (None if it timed out), output and duration."""
    script = os.path.join(work, f"block-{index}.sh")
    output = os.path.join(work, f"block-{index}.out")
    with open(script, "w") as f:
        f.write(block.text)
    started = time.monotonic()
    with open(output, "w") as out:
        # A file, not a pipe: a process the block leaves running must not keep us waiting.
        proc = subprocess.Popen(["bash", "-e", "-x", script], cwd=source_dir, env=env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            rc = proc.wait(timeout=BLOCK_TIMEOUT)
        except subprocess.TimeoutExpired:
            rc = None
        took = time.monotonic() - started
        stop_group(proc)  # and whatever the block started in the background
    with open(output, errors="replace") as f:
        return rc, f.read(), took


def last_command(output):
    """The command bash -x traced last: the one that failed under -e."""
    traced = [l for l in output.splitlines() if l.startswith("+")]
    if not traced:
        return "?"
    last = traced[-1].lstrip("+ ")
    # `ZONE=$(aws ...)` fails as the assignment; the command inside it is the traced line before.
    if re.match(r"^\w+=", last) and len(traced) > 1 and traced[-2].startswith("++"):
        return traced[-2].lstrip("+ ")
    return last


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True, help="the r53sim to run")
    parser.add_argument("--source-dir", required=True, help="the repository root (README.md)")
    parser.add_argument("--list", action="store_true", help="list the blocks and exit")
    parser.add_argument("--verbose", action="store_true", help="print every block's output")
    args = parser.parse_args()
    source_dir = os.path.abspath(args.source_dir)
    binary = os.path.abspath(args.binary)

    blocks, problems = parse_readme(os.path.join(source_dir, "README.md"))
    if problems:
        raise SystemExit("README.md breaks the block conventions:\n  " + "\n  ".join(problems))
    runnable = [b for b in blocks if b.lang == "sh" and not b.skip]
    skipped = [b for b in blocks if b.lang == "sh" and b.skip]
    print(f"README.md: {len(blocks)} blocks, {len(runnable)} sh blocks to run, "
          f"{len(skipped)} skipped:")
    for b in skipped:
        print(f"  skip {b.where()}: {b.skip}")
    if args.list:
        for b in runnable:
            print(f"  run  {b.where()}: {b.first_line()}")
        return 0
    if not runnable:
        raise SystemExit("README.md has no ```sh block to run")

    missing = [t for t in ("bash", "dig", "curl", "aws", "openssl") if not shutil.which(t)]
    if missing:
        raise SystemExit(f"missing tools the walkthroughs use: {', '.join(missing)} "
                         "(make deps installs them)")
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"no r53sim binary at {binary}")
    busy = busy_ports()
    if busy:
        raise SystemExit("the README's ports are in use: " + ", ".join(busy) +
                         "; stop what holds them (a `make run`?) before the README test")

    work = tempfile.mkdtemp(prefix="r53sim-readme-")
    bin_dir = tool_dir(work, binary)
    env = block_env(work, bin_dir)
    demo_log = os.path.join(work, "demo.log")
    failures = []
    with open(demo_log, "w") as log:
        demo = subprocess.Popen(["sh", os.path.join(source_dir, "server/demo/run-demo.sh"), binary],
                                cwd=source_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_demo_ready(demo, demo_log)
        print(f"demo ready (pid {demo.pid}, log {demo_log})")
        for index, block in enumerate(runnable):
            rc, out, took = run_block(block, source_dir, env, work, index)
            if args.verbose:
                print(out)
            if rc == 0:
                print(f"ok   {block.where()} in {took:.1f}s: {block.first_line()}")
                continue
            why = f"timed out after {BLOCK_TIMEOUT}s" if rc is None else f"exit {rc}"
            failures.append(f"{block.where()}: {why} at `{last_command(out)}`\n"
                            f"    first line: {block.first_line()}\n" +
                            "".join(f"    | {l}\n" for l in out.splitlines()[-20:]))
            print(f"FAIL {block.where()}: {why}: {block.first_line()}")
            if demo.poll() is not None:
                failures.append("the demo stopped during that block:\n" + open(demo_log).read())
                break
    finally:
        stop_group(demo)
    left = busy_ports()
    if left:
        failures.append("after the demo stopped, its ports are still in use: " + ", ".join(left))
    if failures:
        print("\nREADME walkthroughs that fail:\n" + "\n".join(failures), file=sys.stderr)
        print(f"demo log: {demo_log}", file=sys.stderr)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print(f"all {len(runnable)} README walkthroughs pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
