"""The pytest plugin (entry point pytest11): an `r53sim` fixture, one server per test.

    @pytest.mark.r53sim_config("r53sim.yaml", args=["--manual-clock"])
    def test_failover(r53sim):
        r53sim.set_health("hc-primary", "unhealthy")
        r53sim.wait_for_answer("app.example.com", "A", ["198.51.100.20"])

The config is a path (relative to the test file, else to the working directory) or YAML text;
a project can instead override the `r53sim_config` and `r53sim_args` fixtures."""
from pathlib import Path

import pytest

from ._sim import R53Sim


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "r53sim_config(config, args=()): the r53sim fixture's config (a path or YAML "
        "text) and extra `r53sim serve` arguments")


def _marker(request):
    return request.node.get_closest_marker("r53sim_config")


@pytest.fixture
def r53sim_config(request):
    """The fixture's config: the r53sim_config marker's, else an empty one."""
    marker = _marker(request)
    if marker is None:
        return None
    config = marker.args[0] if marker.args else marker.kwargs.get("config")
    if isinstance(config, str) and "\n" not in config:
        beside_test = Path(str(request.node.fspath)).parent / config
        if beside_test.exists():
            return str(beside_test)
    return config


@pytest.fixture
def r53sim_args(request):
    """Extra `r53sim serve` arguments: the r53sim_config marker's `args`."""
    marker = _marker(request)
    return list(marker.kwargs.get("args", ())) if marker else []


@pytest.fixture
def r53sim(r53sim_config, r53sim_args, tmp_path):
    """A running R53Sim, stopped after the test; a server that did not stop cleanly fails it."""
    sim = R53Sim(config=r53sim_config, args=r53sim_args, workdir=tmp_path / "r53sim")
    sim.start()
    try:
        yield sim
    finally:
        log = sim.logs()
        code = sim.stop()
    if code != 0:
        pytest.fail(f"r53sim exited with status {code}\n--- r53sim log ---\n{log}")
