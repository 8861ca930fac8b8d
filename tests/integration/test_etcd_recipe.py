"""The replica recipe, docker/compose-replicas.yaml: checked statically (no container engine runs
here), then its three replicas' exact command lines run against a real etcd on loopback with the
demo config (only `local.endpoints` and the etcd host are rewritten): a zone created through one
replica is answered by the other two, and stopping us-east-1 fails every replica over.
"""
import pathlib

import yaml

from etcd_harness import Etcd, leader_pid
from harness import Endpoint, R53Sim, SOURCE_DIR, poll
from test_etcd_replicas import client

DOCKER = pathlib.Path(SOURCE_DIR) / "docker"
COMPOSE = DOCKER / "compose-replicas.yaml"
REPLICAS = ("r53sim-1", "r53sim-2", "r53sim-3")


def compose():
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_runs_etcd_three_replicas_behind_one_name_and_a_client():
    services = compose()["services"]
    assert {"etcd", *REPLICAS, "us-east-1", "eu-west-1", "client"} <= set(services)
    etcd = services["etcd"]
    assert "apt-get install" in etcd["build"]["dockerfile_inline"]
    assert "etcd-server" in etcd["build"]["dockerfile_inline"]  # Debian's, like the tests
    assert etcd["command"][0] == "etcd" and "http://0.0.0.0:2379" in etcd["command"]
    assert "etcdctl" in etcd["healthcheck"]["test"]
    addresses, published = set(), set()
    for name in REPLICAS:
        s = services[name]
        assert (COMPOSE.parent / s["build"]["context"] / s["build"]["dockerfile"]).resolve() == \
            (DOCKER / "Dockerfile").resolve()
        assert s["command"][:2] == ["serve", "--store"]
        assert s["command"][2].startswith("etcd://etcd:2379/r53sim")
        assert s["depends_on"]["etcd"]["condition"] == "service_healthy"
        network = s["networks"]["regions"]
        assert network["aliases"] == ["r53sim"]  # one name for all three
        addresses.add(network["ipv4_address"])
        published |= {p.rsplit(":", 1)[0] for p in s["ports"]}
        for volume in s["volumes"]:
            assert (COMPOSE.parent / volume.split(":")[0]).exists(), volume
    assert len(addresses) == 3 and len(published) == 6  # distinct addresses and host ports
    assert sorted(services["client"]["dns"]) == sorted(addresses)
    assert all(services["client"]["depends_on"][n]["condition"] == "service_healthy"
               for n in REPLICAS)


class Regions:
    def __init__(self):
        self.us, self.eu = Endpoint("us-east-1"), Endpoint("eu-west-1")

    def config(self):
        # The demo's conf.d as one document (its files have distinct top-level keys).
        text = "\n".join(f.read_text() for f in sorted((DOCKER / "demo" / "conf.d").glob("*.yaml")))
        for name, ip, ep in (("us-east-1", "172.30.53.11", self.us),
                             ("eu-west-1", "172.30.53.12", self.eu)):
            mapping = f"{name}.app.example.com:80:{ip}:80"
            assert mapping in text
            text = text.replace(mapping, f"{name}.app.example.com:80:127.0.0.1:{ep.port}")
        return text

    def stop(self):
        self.us.stop()
        self.eu.stop()


def test_the_recipe_replicas_share_state_and_fail_over_together():
    etcd = Etcd()
    regions = Regions()
    sims = []
    try:
        for name in REPLICAS:
            command = compose()["services"][name]["command"]
            store = command[2].replace("etcd://etcd:2379", f"etcd://127.0.0.1:{etcd.client_port}")
            sims.append(R53Sim(regions.config(), args=[*command[1:2], store, "--time-scale", "0.2"]))
        assert leader_pid(etcd, "r53sim") in {s.proc.pid for s in sims}
        for s in sims:
            poll(lambda: s.answer("app.example.com") == ["172.30.53.11"], 10, what="us-east-1")
        c = client(sims[0])
        zone = c.create_hosted_zone(Name="shared.test", CallerReference="recipe")
        change = zone["ChangeInfo"]["Id"]
        poll(lambda: c.get_change(Id=change)["ChangeInfo"]["Status"] == "INSYNC", 10,
             what="INSYNC")
        for s in sims[1:]:
            assert s.answer("shared.test", "SOA") != []
        regions.us.stop()
        for s in sims:
            poll(lambda: s.answer("app.example.com") == ["172.30.53.12"], 20, interval=0.05,
                 what="every replica on eu-west-1")
    finally:
        for s in sims:
            s.stop()
        regions.stop()
        etcd.close()
