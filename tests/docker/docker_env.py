#!/usr/bin/python3
"""The Docker side of the docker tests, as ctest fixtures.

  docker_env.py start STATE_DIR   start dockerd unless one answers; remember whether we did
  docker_env.py stop STATE_DIR    stop the dockerd that `start` started (by its pid), nothing else
  docker_env.py base-images       make debian:bookworm and debian:bookworm-slim from Debian itself

No registry is reachable from the test machines, so the base images the Dockerfile names are
built with debootstrap from the Debian mirror apt uses, imported once and kept by the daemon:
later runs find them and skip the minutes of debootstrap.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOCKERD = "/usr/sbin/dockerd"
BASE_TAGS = ["debian:bookworm", "debian:bookworm-slim"]


def docker_answers():
    try:
        return subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"],
                              capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def start(state_dir):
    state_dir.mkdir(parents=True, exist_ok=True)
    state = state_dir / "dockerd.json"
    if docker_answers():
        state.write_text(json.dumps({"started": False}))
        print("docker_env: a Docker daemon already answers; using it")
        return 0
    if not os.access(DOCKERD, os.X_OK):
        print(f"docker_env: no Docker daemon answers and {DOCKERD} is missing "
              "(apt-get install docker.io)", file=sys.stderr)
        return 1
    log = open(state_dir / "dockerd.log", "ab")
    proc = subprocess.Popen([DOCKERD, "--pidfile", str(state_dir / "dockerd.pid")],
                            stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    state.write_text(json.dumps({"started": True, "pid": proc.pid}))
    deadline = time.monotonic() + 60
    while not docker_answers():
        if proc.poll() is not None:
            print(f"docker_env: dockerd exited with {proc.returncode}; see "
                  f"{state_dir / 'dockerd.log'}", file=sys.stderr)
            return 1
        if time.monotonic() > deadline:
            print("docker_env: dockerd did not answer within 60 s", file=sys.stderr)
            return 1
        time.sleep(0.2)
    print(f"docker_env: started dockerd (pid {proc.pid})")
    return 0


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (our child that nobody reaped) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def stop(state_dir):
    state_file = state_dir / "dockerd.json"
    if not state_file.exists():
        return 0
    state = json.loads(state_file.read_text())
    state_file.unlink()
    if not state.get("started"):
        return 0
    pid = state["pid"]
    if not pid_alive(pid):
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    print(f"docker_env: stopped dockerd (pid {pid})")
    return 0


def image_exists(tag):
    return subprocess.run(["docker", "image", "inspect", tag], capture_output=True).returncode == 0


def apt_mirror():
    """The Debian mirror apt on this machine uses (deb822 or one-line sources)."""
    for path in sorted(Path("/etc/apt").glob("sources.list.d/*.sources")) + \
            [Path("/etc/apt/sources.list")] + sorted(Path("/etc/apt").glob("sources.list.d/*.list")):
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            words = line.split()
            if words[:1] == ["URIs:"] and len(words) > 1 and "security" not in words[1]:
                return words[1]
            if words[:1] == ["deb"]:
                uri = next((w for w in words[1:] if "://" in w), None)
                if uri and "security" not in uri:
                    return uri
    return "http://deb.debian.org/debian"


def base_images():
    missing = [tag for tag in BASE_TAGS if not image_exists(tag)]
    if not missing:
        print("docker_env: base images present: " + ", ".join(BASE_TAGS))
        return 0
    if not shutil.which("debootstrap"):
        print("docker_env: debootstrap is missing (apt-get install debootstrap)", file=sys.stderr)
        return 1
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="r53sim-bookworm-", dir="/var/tmp") as work:
        root = Path(work) / "root"
        mirror = apt_mirror()
        subprocess.run(["debootstrap", "--variant=minbase", "bookworm", str(root), mirror],
                       check=True, stdout=subprocess.DEVNULL)
        # What the official images do: no apt caches, and the security suite as a source.
        (root / "etc/apt/sources.list").write_text(
            f"deb {mirror} bookworm main\ndeb {mirror} bookworm-updates main\n"
            f"deb {mirror.replace('/debian', '/debian-security')} bookworm-security main\n")
        for cache in ["var/cache/apt/archives", "var/lib/apt/lists"]:
            for entry in (root / cache).glob("*"):
                if entry.is_file():
                    entry.unlink()
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(["docker", "import", "--change", 'CMD ["bash"]', "-", BASE_TAGS[0]],
                       stdin=tar.stdout, check=True, stdout=subprocess.DEVNULL)
        tar.stdout.close()
        if tar.wait() != 0:
            print("docker_env: tar of the debootstrap root failed", file=sys.stderr)
            return 1
    for tag in BASE_TAGS[1:]:
        subprocess.run(["docker", "tag", BASE_TAGS[0], tag], check=True)
    print(f"docker_env: made {', '.join(BASE_TAGS)} with debootstrap in "
          f"{time.monotonic() - started:.0f} s")
    return 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "base-images":
        return base_images()
    if len(argv) == 3 and argv[1] in ("start", "stop"):
        return (start if argv[1] == "start" else stop)(Path(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
