"""The dashboard in real headless Chromium (Debian's chromium, chromium-driver, python3-selenium):
the two-region demo's zones, records and checks with the right answer; "Force unhealthy" on the
primary moves the answer on the page and in dig; a flip made outside the page reaches it through
the event stream. Saves screenshots under the build tree."""
import base64
import os
import shutil
import tempfile

import pytest
import yaml

from harness import SOURCE_DIR, Endpoint, R53Sim, make_certificate

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as e:  # a missing component fails the test, never skips it
    webdriver = None
    IMPORT_ERROR = e

DEMO_CONFIG = os.path.join(SOURCE_DIR, "server", "demo", "two-region.yaml")
BUILD_DIR = os.environ.get("R53SIM_BUILD_DIR", os.path.join(SOURCE_DIR, "build"))
SCREENSHOTS = os.path.join(BUILD_DIR, "screenshots")
RECORD = "app.example.com. A"
PRIMARY, SECONDARY = "127.0.0.11", "127.0.0.12"
# The page gets flips pushed; it also refreshes every 15 s on its own, so a page that missed the
# push would show the change only after this deadline.
PUSH_DEADLINE = 3


def chromedriver():
    if webdriver is None:
        pytest.fail(f"python3-selenium is missing: {IMPORT_ERROR}")
    path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not os.path.exists(path):
        pytest.fail("chromium-driver is missing (/usr/bin/chromedriver)")
    if not (shutil.which("chromium") or os.path.exists("/usr/bin/chromium")):
        pytest.fail("chromium is missing")
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1100", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-sync"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(path), options=options)


@pytest.fixture(scope="module")
def demo():
    """The demo's config as shipped, with its two regions' endpoints started here on port 0."""
    certdir = tempfile.mkdtemp(prefix="r53sim-dash-certs-")
    cert, key = make_certificate(certdir, cn="my-alb.amazonaws.com")
    east = Endpoint("us-east-1", addr=PRIMARY, cert=cert, key=key)
    west = Endpoint("eu-west-1", addr=SECONDARY, cert=cert, key=key)
    with open(DEMO_CONFIG) as f:
        config = yaml.safe_load(f)
    config["local"]["endpoints"] = [
        f"dualstack.my-alb-us-east-1.amazonaws.com:443:{PRIMARY}:{east.port}",
        f"dualstack.my-alb-eu-west-1.amazonaws.com:443:{SECONDARY}:{west.port}"]
    sim = R53Sim(yaml.safe_dump(config), args=["--manual-clock"])
    # One interval: every checker of both checks probes its endpoint once.
    assert sim.admin("POST", "/v1/clock/advance", {"seconds": 10})[0] == 200
    yield sim
    sim.stop()
    east.stop()
    west.stop()


# The page redraws whole sections when data arrive, so elements found earlier go stale: every
# read below takes one snapshot of the page in a single script run.
SNAPSHOT = """
const text = (el) => el ? el.textContent : null;
const row = document.querySelector('tr[data-record="' + arguments[0] + '"]');
const checks = {};
for (const card of document.querySelectorAll('div.card[data-check]')) {
  checks[card.dataset.check] = {
    status: text(card.querySelector('[data-testid="check-status"]')),
    text: card.textContent,
    checkers: [...card.querySelectorAll('[data-checker]')].map((r) => r.textContent)};
}
const zone = document.querySelector('div.card[data-zone="Z1XXXXXXXXXXXXXX"]');
return {
  live: text(document.getElementById('live')),
  zone: text(zone),
  zones: text(document.getElementById('zones')),
  records: zone ? [...zone.querySelectorAll('tr[data-record]')].map((r) => r.dataset.record) : [],
  answer: row ? text(row.querySelector('td.answer')) : null,
  taken: row ? [...row.querySelectorAll('li[data-taken="true"]')].map((l) => l.dataset.label) : [],
  checks,
  unhealthy_segments: document.querySelectorAll('#timeline rect[data-state="unhealthy"]').length,
  answer_marks: [...document.querySelectorAll('#timeline circle[data-answer]')].map((c) => c.dataset.answer),
  events: text(document.getElementById('events')),
};
"""


def save_full_page(driver, name):
    """The whole page, not just the window, as a PNG under the build tree."""
    driver.execute_script("window.scrollTo(0, 0)")
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    path = os.path.join(SCREENSHOTS, name)
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    return path


def page(driver):
    return driver.execute_script(SNAPSHOT, RECORD)


def wait_page(driver, predicate, timeout, what):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.05).until(
            lambda d: (lambda p: p if predicate(p) else None)(page(d)))
    except TimeoutException:
        now = page(driver)
        shown = {k: now[k] for k in ("live", "answer", "taken", "events")}
        shown["checks"] = {k: v["status"] for k, v in now["checks"].items()}
        raise AssertionError(f"{what}: not on the page {timeout}s later; it shows {shown!r}") \
            from None


def click(driver, selector):
    """Clicks the element now matching `selector` (a redraw may replace it between find and
    click)."""
    def clicked(d):
        try:
            d.find_element(By.CSS_SELECTOR, selector).click()
            return True
        except StaleElementReferenceException:
            return False
    WebDriverWait(driver, 5, poll_frequency=0.05).until(clicked)


def test_dashboard_follows_a_forced_flip_on_the_page_and_in_dig(demo):
    sim = demo
    os.makedirs(SCREENSHOTS, exist_ok=True)
    driver = chromedriver()
    try:
        driver.get(f"http://127.0.0.1:{sim.admin_port}/")
        now = wait_page(driver, lambda p: p["live"] == "live" and p["answer"] and
                        len(p["checks"]) == 2, 20, "the live page")

        # Zones, records and checks, with the answer dig gets.
        assert "example.com." in now["zone"]
        assert now["records"] == ["example.com. SOA", "example.com. NS", RECORD]
        assert sim.answer("app.example.com") == [PRIMARY]
        assert now["answer"] == PRIMARY
        assert now["taken"] == ["us-east-1-active"]
        for check in ("hc-us-east-1", "hc-eu-west-1"):
            card = now["checks"][check]
            assert card["status"] == "HEALTHY"
            assert "100% of checkers healthy" in card["text"]
            assert len(card["checkers"]) == 16  # 8 regions x 2 checkers, each probed once
            assert all("Success: HTTP Status Code 200" in c for c in card["checkers"])
            assert all(" ms" in c for c in card["checkers"])  # each probe's latency
        save_full_page(driver, "dashboard-healthy.png")

        # Force the primary unhealthy with its button: the page and dig move to eu-west-1.
        click(driver, 'div.card[data-check="hc-us-east-1"] button[data-action="force-unhealthy"]')
        now = wait_page(driver, lambda p: p["answer"] == SECONDARY, PUSH_DEADLINE,
                        f"answer {SECONDARY}")
        assert sim.answer("app.example.com") == [SECONDARY]
        now = wait_page(driver, lambda p: p["checks"]["hc-us-east-1"]["status"] == "UNHEALTHY"
                        and p["unhealthy_segments"] and SECONDARY in p["answer_marks"],
                        PUSH_DEADLINE, "the check, the timeline and the events after the flip")
        assert "forced unhealthy" in now["checks"]["hc-us-east-1"]["text"]
        assert now["taken"] == ["eu-west-1-active"]
        assert "hc-us-east-1: healthy → unhealthy (override)" in now["events"]
        assert f"app.example.com. A: {PRIMARY} → {SECONDARY}" in now["events"]
        save_full_page(driver, "dashboard.png")

        # Back to auto from outside the page (the admin API): only the event stream can tell
        # the page, and it does before the page's own periodic refresh would.
        assert sim.admin("DELETE", "/v1/health-checks/hc-us-east-1/override")[0] == 200
        assert sim.answer("app.example.com") == [PRIMARY]
        now = wait_page(driver, lambda p: p["answer"] == PRIMARY, PUSH_DEADLINE,
                        f"answer {PRIMARY} again")
        assert now["taken"] == ["us-east-1-active"]

        # The client picker asks for another client's answer (failover ignores location).
        driver.find_element(By.ID, "client-custom").send_keys("198.51.100.7\n")
        wait_page(driver, lambda p: "Answer for 198.51.100.7" in p["zones"] and
                  p["answer"] == PRIMARY, 5, "the answer for 198.51.100.7")

        # The manual clock's button advances it: every checker probes again.
        before = sim.admin("GET", "/v1/health-checks/hc-us-east-1")[1]["observations"]
        click(driver, 'button[data-action="advance-10"]')
        def probed_again(_):
            after = sim.admin("GET", "/v1/health-checks/hc-us-east-1")[1]["observations"]
            return all(a["checked_at"] > b["checked_at"] for a, b in zip(after, before))
        WebDriverWait(driver, 10, poll_frequency=0.1).until(probed_again)

        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not severe, severe
    finally:
        driver.quit()
