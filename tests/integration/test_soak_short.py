"""A 30-second run of tests/soak/soak.sh: dnsperf against a failover record while the health
check flips and the config reloads (valid, invalid) every few seconds. No query may be lost, every
answer is NOERROR, every admin call answers as expected, and the fd count does not grow."""
import os
import re
import subprocess

from harness import BINARY, SOURCE_DIR

SECONDS = 30


def test_short_soak_loses_nothing_and_leaks_no_fds():
    env = dict(os.environ, R53SIM_BINARY=BINARY, SOAK_SECONDS=str(SECONDS), SOAK_QPS="1000")
    run = subprocess.run(["bash", os.path.join(SOURCE_DIR, "tests", "soak", "soak.sh")],
                         env=env, capture_output=True, text=True, timeout=SECONDS + 60)
    line = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    figures = dict(re.findall(r"(\w+)=(\S+)", line))
    assert figures, f"no summary line:\n{run.stdout}\n{run.stderr}"
    print(line)
    assert int(figures["sent"]) >= SECONDS * 500, line
    assert int(figures["lost"]) == 0, line
    assert int(figures["not_noerror"]) == 0, line
    assert int(figures["admin_errors"]) == 0, (line, run.stderr)
    assert int(figures["flips"]) >= 5 and int(figures["reloads"]) >= 5, line
    assert int(figures["fds_end"]) <= int(figures["fds_start"]), line
    assert run.returncode == 0, (line, run.stderr)
