"""Terraform's AWS provider against the Route 53 API (semantics §6, S23): a zone, a health check
and a failover record are created, served by the DNS listener, planned again without changes,
and destroyed. Skipped where terraform or a local mirror of the AWS provider is not installed.
"""
import glob
import os
import shutil
import subprocess
import tempfile

import pytest

from harness import R53Sim, FILE_ZONE_CONFIG

MIRROR = os.environ.get("R53SIM_TF_PLUGINS", "/opt/tf-plugins")
PROVIDERS = sorted(glob.glob(os.path.join(MIRROR, "registry.terraform.io/hashicorp/aws/*/linux_amd64")))
TERRAFORM = shutil.which("terraform")

pytestmark = pytest.mark.skipif(not TERRAFORM or not PROVIDERS,
                                reason="terraform or a local AWS provider mirror is missing")

CONFIG = FILE_ZONE_CONFIG

MAIN_TF = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "%(version)s" }
  }
}
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    route53 = "http://127.0.0.1:%(port)d"
  }
}
resource "aws_route53_zone" "z" {
  name          = "tf.test"
  force_destroy = true
  tags          = { team = "dns" }
}
resource "aws_route53_health_check" "hc" {
  ip_address        = "127.0.0.1"
  port              = 9
  type              = "HTTP"
  resource_path     = "/health"
  failure_threshold = 1
  request_interval  = 10
  regions           = ["us-east-1", "us-west-1", "eu-west-1"]
  tags              = { Name = "primary" }
}
resource "aws_route53_record" "a" {
  zone_id         = aws_route53_zone.z.zone_id
  name            = "app.tf.test"
  type            = "A"
  ttl             = 60
  records         = ["192.0.2.50"]
  set_identifier  = "primary"
  health_check_id = aws_route53_health_check.hc.id
  failover_routing_policy {
    type = "PRIMARY"
  }
}
"""

CLI_CONFIG = """
provider_installation {
  filesystem_mirror {
    path    = "%s"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct { exclude = ["registry.terraform.io/hashicorp/aws"] }
}
"""


def terraform(workdir, *args):
    env = dict(os.environ, TF_CLI_CONFIG_FILE=os.path.join(workdir, "cli.tfrc"),
               TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    return subprocess.run([TERRAFORM, *args, "-input=false", "-no-color"], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=400)


def test_terraform_apply_plan_destroy():
    workdir = tempfile.mkdtemp(prefix="r53sim-terraform-")
    version = PROVIDERS[-1].split(os.sep)[-2]
    with R53Sim(CONFIG) as sim:
        with open(os.path.join(workdir, "cli.tfrc"), "w") as f:
            f.write(CLI_CONFIG % MIRROR)
        with open(os.path.join(workdir, "main.tf"), "w") as f:
            f.write(MAIN_TF % {"version": version, "port": sim.admin_port})
        init = terraform(workdir, "init")
        assert init.returncode == 0, init.stdout + init.stderr
        apply = terraform(workdir, "apply", "-auto-approve")
        assert apply.returncode == 0, apply.stdout + apply.stderr
        assert sim.answer("app.tf.test") == ["192.0.2.50"]
        assert len(sim.answer("tf.test", "NS")) == 4
        plan = terraform(workdir, "plan", "-detailed-exitcode")
        assert plan.returncode == 0, plan.stdout + plan.stderr  # 2 would mean a diff
        destroy = terraform(workdir, "destroy", "-auto-approve")
        assert destroy.returncode == 0, destroy.stdout + destroy.stderr
        assert "REFUSED" in sim.dig("app.tf.test")
