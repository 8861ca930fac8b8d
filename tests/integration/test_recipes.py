"""docs/recipes.md cannot rot: its ```sh recipe and ```python recipe blocks run against the real
binary, its CI job's configuration must pass `r53sim check`, and every option any recipe passes
to r53sim must be one `r53sim --help` knows."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

SOURCE_DIR = Path(os.environ.get("R53SIM_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BINARY = os.environ.get("R53SIM_BINARY", "")
RECIPES = SOURCE_DIR / "docs" / "recipes.md"


def need_binary():
    if not BINARY or not os.access(BINARY, os.X_OK):
        pytest.fail(f"R53SIM_BINARY={BINARY!r} is not an executable; build r53sim first")
    return BINARY


def fenced_blocks():
    """(language, tags, code) for every fenced block of recipes.md."""
    blocks = []
    pattern = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```\s*$", re.S | re.M)
    for match in pattern.finditer(RECIPES.read_text()):
        blocks.append((match.group(1), match.group(2).split(), match.group(3)))
    return blocks


def blocks(language, tag):
    found = [code for lang, tags, code in fenced_blocks() if lang == language and tag in tags]
    assert found, f"recipes.md has no ```{language} {tag} block"
    return found


def recipe_env(tmp_path):
    binary = need_binary()
    return dict(os.environ, PATH=f"{os.path.dirname(os.path.abspath(binary))}:/usr/bin:/bin",
                R53SIM_BINARY=os.path.abspath(binary), TMPDIR=str(tmp_path), HOME=str(tmp_path))


@pytest.mark.parametrize("index", range(len(blocks("sh", "recipe"))))
def test_shell_recipe_runs(tmp_path, index):
    script = tmp_path / "recipe.sh"
    script.write_text(blocks("sh", "recipe")[index])
    result = subprocess.run(["sh", str(script)], cwd=tmp_path, env=recipe_env(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" in result.stdout


@pytest.mark.parametrize("index", range(len(blocks("python", "recipe"))))
def test_pytest_recipe_passes(tmp_path, index):
    test_file = tmp_path / f"test_recipe_{index}.py"
    code = blocks("python", "recipe")[index]
    test_file.write_text(code)
    expected = len(re.findall(r"^def test_", code, re.M))
    assert expected, "the pytest recipe has no test"
    result = subprocess.run(["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             str(test_file)], cwd=tmp_path, env=recipe_env(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{expected} passed" in result.stdout, result.stdout


def ci_job():
    (code,) = blocks("yaml", "ci")
    return yaml.safe_load(code)


def test_ci_job_runs_the_image_as_a_healthy_service():
    workflow = ci_job()
    (job,) = workflow["jobs"].values()
    service = job["services"]["r53sim"]
    assert "r53sim" in service["image"]
    assert '--health-cmd "r53sim ready"' in service["options"]
    ports = {p.split(":", 1)[1] for p in service["ports"]}
    assert {"53/udp", "53/tcp", "8053/tcp"} <= ports
    listen = yaml.safe_load(service["env"]["R53SIM_CONFIG_YAML"])["local"]["listen"]
    assert listen == {"dns": "0.0.0.0:53", "admin": "0.0.0.0:8053"}


def test_ci_job_config_is_valid():
    config = ci_job()["jobs"]["dns-failover"]["services"]["r53sim"]["env"]["R53SIM_CONFIG_YAML"]
    result = subprocess.run([need_binary(), "check", "-c", "-"], input=config,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


def test_go_recipe_config_is_valid(tmp_path):
    (code,) = [c for lang, _, c in fenced_blocks() if lang == "go"]
    config = re.search(r"const config = `(.*?)`", code, re.S).group(1)
    result = subprocess.run([need_binary(), "check", "-c", "-"], input=config,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    if shutil.which("gofmt"):
        (tmp_path / "failover_test.go").write_text(code)
        fmt = subprocess.run(["gofmt", "-l", str(tmp_path)], capture_output=True, text=True)
        assert fmt.returncode == 0 and fmt.stdout == "", fmt.stdout + fmt.stderr


def test_every_option_a_recipe_uses_exists():
    help_text = subprocess.run([need_binary(), "--help"], capture_output=True, text=True,
                               timeout=30)
    known = set(re.findall(r"--[a-z][a-z-]*[a-z]", help_text.stdout + help_text.stderr))
    used = set()
    for _, _, code in fenced_blocks():
        code = code.replace("\\\n", " ")  # shell line continuations
        # Options given to r53sim: after it on a shell line, or quoted in a Python/Go argv list.
        for line in code.splitlines():
            command = re.search(r"\br53sim (serve|check|ready)\b(.*)", line)
            if command:
                used |= set(re.findall(r"(?<![\w-])--[a-z][a-z-]*[a-z]", command.group(2)))
        for argv in re.findall(r"\[R53SIM, .*?\]|exec\.Command\(binary,.*?\)", code, re.S):
            used |= set(re.findall(r"[\"'](--[a-z][a-z-]*[a-z])[\"']", argv))
    assert {"--dns", "--admin", "--ready-file"} <= used, used
    assert used - known == set(), "recipes use options r53sim --help does not list"
