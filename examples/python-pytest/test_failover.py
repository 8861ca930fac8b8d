"""The two-region failover of Route 53's documentation, tested as a project that uses r53sim would:
us-east-1 (127.0.0.11) is PRIMARY, eu-west-1 (127.0.0.12) SECONDARY. With the manual clock no
probe runs, so the override alone decides, and the test needs no endpoint and no sleep."""
import pytest


@pytest.mark.r53sim_config("two-region.yaml", args=["--manual-clock"])
def test_fails_over_to_eu_west_1(r53sim):
    assert r53sim.resolve("app.example.com").values == ["127.0.0.11"]
    r53sim.set_health("hc-us-east-1", "unhealthy")
    r53sim.wait_for_answer("app.example.com", "A", ["127.0.0.12"], timeout=1)
    assert r53sim.resolve("app.example.com").values == ["127.0.0.12"]
