"""Runs an example project's tests and holds them to the promise of the README: every test passes
and takes under MAX_SECONDS, server start and stop included, as the test tool itself measured it
(compiling the test binary does not count).

    run_example.py junit:REPORT.xml|go|tap -- COMMAND...
"""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

MAX_SECONDS = 2.0


def durations(kind, output):
    """{test name: seconds} from the tool's own report."""
    if kind.startswith("junit:"):
        root = ET.parse(kind.split(":", 1)[1]).getroot()
        return {case.get("name"): float(case.get("time")) for case in root.iter("testcase")}
    if kind == "go":
        return {m.group(1): float(m.group(2))
                for m in re.finditer(r"^\s*--- PASS: (\S+) \(([\d.]+)s\)", output, re.M)}
    if kind == "tap":
        # "ok 1 - name" followed by its YAML block holding "duration_ms: N".
        found = {}
        for m in re.finditer(r"^\s*ok \d+ - (.+?)\n(?:.*\n)*?\s*duration_ms: ([\d.]+)", output, re.M):
            found[m.group(1)] = float(m.group(2)) / 1000
        return found
    raise SystemExit(f"unknown report kind {kind}")


def main():
    kind, separator, *command = sys.argv[1:]
    assert separator == "--", __doc__
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(result.stdout)
    if result.returncode != 0:
        print(f"FAIL: {' '.join(command)} exited with {result.returncode}")
        return 1
    measured = durations(kind, result.stdout)
    if not measured:
        print("FAIL: the test tool reported no passing test")
        return 1
    slow = {name: t for name, t in measured.items() if t >= MAX_SECONDS}
    for name, seconds in sorted(measured.items()):
        print(f"{name}: {seconds:.3f} s")
    if slow:
        print(f"FAIL: over {MAX_SECONDS} s: {slow}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
