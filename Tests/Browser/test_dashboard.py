"""The dashboard in a real browser, against `perch serve --demo`.

Starts the built `perch serve --demo --demo-size 2000` in a temporary folder on 127.0.0.1, waits until the demo's
campaign has completed, signs in through the form in headless Chromium (Debian's `chromium` + `chromium-driver`, driven
by Selenium) with the demo app's secret key (from the demo's state file), then visits every page: token health (as is
and filtered), campaigns, the demo campaign's report, and user lookup of a demo user and of one installation. On each
page every number in a `data-metric` element is checked against the API call its section names (`data-api`), fetched
with the secret key, and against what a person reads (the element's text). A screenshot of each page goes to
`artifacts/browser/dashboard-*.png`. Exits non-zero on any mismatch. Only loopback addresses are contacted.

Run: `python3 Tests/Browser/test_dashboard.py` after `swift build` (PERCH_BINARY overrides `.build/debug/perch`).
"""

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from selenium.webdriver.common.by import By

from browser_support import start_chromium, wait_until

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
PERCH = Path(os.environ.get("PERCH_BINARY", ROOT / ".build" / "debug" / "perch"))
DEMO_SIZE = int(os.environ.get("PERCH_DASHBOARD_DEMO_SIZE", "2000"))

# Every number on a page, with the API call of its section, the field it shows, its exact value and its text.
READ_METRICS = """
return Array.from(document.querySelectorAll('[data-metric]')).map((element) => {
  const section = element.closest('[data-api]');
  return {api: section ? section.getAttribute('data-api') : null, path: element.dataset.metric,
          value: element.dataset.value, shown: element.textContent.trim()};
});
"""


class Demo:
    """`perch serve --demo` on a free loopback port in a temporary folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = None
        self.base = None
        self.log_path = folder / "serve.log"
        self.process = None

    def start(self):
        env = dict(os.environ, PERCH_LOG_LEVEL="warning", PERCH_DEMO_SIZE=str(DEMO_SIZE))
        env.pop("PERCH_DATABASE_URL", None)
        self.log = open(self.log_path, "w")
        # Port 0: the system picks a free port, which perch serve writes to its --port-file once it listens.
        port_file = self.folder / "serve.port"
        self.process = subprocess.Popen([str(PERCH), "serve", "--demo", "--host", "127.0.0.1", "--port", "0",
                                         "--port-file", str(port_file)],
                                        env=env, cwd=self.folder, stdout=self.log, stderr=subprocess.STDOUT)

        def listening():
            if self.process.poll() is not None:
                raise AssertionError(f"perch serve --demo exited ({self.process.returncode}): {self.output()[-3000:]}")
            return port_file.exists() and port_file.read_text().strip().isdigit()

        wait_until("perch serve --demo to report its port", listening, timeout=300)
        self.port = int(port_file.read_text().strip())
        self.base = f"http://127.0.0.1:{self.port}"

        def summary_printed():
            if self.process.poll() is not None:
                raise AssertionError(f"perch serve --demo exited ({self.process.returncode}): {self.output()[-3000:]}")
            return "Perch demo — " in self.output()

        wait_until("the demo to seed, send its campaign and print its summary", summary_printed, timeout=1500, interval=1)
        self.state = json.loads((self.folder / "perch-demo.sqlite.demo.json").read_text())
        self.key = self.state["secretKey"]
        self.campaign_id = self.state["campaignId"]
        wait_until("the demo campaign to complete",
                   lambda: self.api(f"/v1/campaigns/{self.campaign_id}")[1].get("status") == "completed", timeout=300, interval=1)

    def output(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.log.close()

    def api(self, path):
        """GET with the demo app's secret key; answers (status, body as JSON or text)."""
        request = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {self.key}"})
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                body = answer.read().decode()
                return answer.status, (json.loads(body) if answer.headers.get_content_type() == "application/json" else body)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


def resolve(value, path):
    """The field a `/`-separated path names in a JSON value; `None` when absent (the API leaves out empty values)."""
    for step in path.split("/"):
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list):
            value = value[int(step)] if step.isdigit() and int(step) < len(value) else None
        else:
            return None
    return value


def same(page_value, field):
    if field is None:
        return page_value == "null"
    if isinstance(field, bool):
        return page_value == ("true" if field else "false")
    if isinstance(field, (int, float)):
        try:
            number = float(page_value)
        except ValueError:
            return False
        return math.isclose(number, float(field), rel_tol=1e-9, abs_tol=1e-12)
    return page_value == str(field)


def reads_as(shown, value):
    """Whether the text a person reads says the exact value: a count with separators, a percentage or a decimal."""
    if value == "null":
        return shown in ("—", "")
    try:
        number = float(value)
    except ValueError:
        return shown.lower() == value.lower()  # words, maybe capitalised as a sentence
    text = shown.replace(",", "").replace("−", "-").replace(" pp", "")
    if text.endswith("%"):
        return abs(float(text[:-1]) - number * 100) <= 0.51 * 10 ** -(len(text[:-1].partition(".")[2]))
    if shown.endswith(" pp"):
        return abs(float(text) - number * 100) <= 0.0051
    decimals = len(text.partition(".")[2])
    return abs(float(text) - number) <= 0.51 * 10 ** -decimals


class DemoInChromium:
    """A test case's `perch serve --demo` in a temporary folder and its headless Chromium, shared by the class's tests."""
    screenshot_prefix = "dashboard"

    @classmethod
    def setUpClass(cls):
        if not PERCH.exists():
            raise AssertionError(f"{PERCH} not found: run `swift build` first (or set PERCH_BINARY)")
        cls.started = time.monotonic()
        cls.folder = Path(tempfile.mkdtemp(prefix="perch-dashboard-"))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        cls.demo = Demo(cls.folder)
        cls.driver = None
        try:
            cls.demo.start()
            print(f"demo ready after {time.monotonic() - cls.started:.0f}s", file=sys.stderr)
            cls.driver = start_chromium(cls.folder / "chromium-profile", window_size="1280,900")
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.driver:
            cls.driver.quit()
        cls.demo.stop()
        if os.environ.get("PERCH_KEEP_BROWSER_TEST") is None:
            shutil.rmtree(cls.folder, ignore_errors=True)
        else:
            print(f"kept {cls.folder}", file=sys.stderr)
        print(f"{cls.screenshot_prefix} browser test took {time.monotonic() - cls.started:.0f}s", file=sys.stderr)

    def visit(self, path):
        self.driver.get(self.demo.base + path)
        return self.driver.current_url

    def screenshot(self, name):
        """The whole page, not just the window: the window is made as tall as the document first (plus what the
        window itself takes, the outer minus the inner height)."""
        height, frame = self.driver.execute_script(
            "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight]")
        self.driver.set_window_size(1280, min(max(900, height + frame + 8), 10000))
        self.driver.save_screenshot(str(ARTIFACTS / f"{self.screenshot_prefix}-{name}.png"))
        self.driver.set_window_size(1280, 900)


class DashboardInRealBrowserTests(DemoInChromium, unittest.TestCase):

    def check_page(self, path, name, minimum):
        """Visits `path`, checks every number against the API and its text, saves a screenshot; answers the metrics."""
        url = self.visit(path)
        self.assertTrue(url.startswith(self.demo.base + path.split("?")[0]), f"{path} ended at {url}")
        self.assertNotIn("/signin", url)
        metrics = self.driver.execute_script(READ_METRICS)
        self.assertGreaterEqual(len(metrics), minimum, f"{path}: only {len(metrics)} numbers")
        answers = {}
        mismatches = []
        for metric in metrics:
            api = metric["api"]
            self.assertIsNotNone(api, f"{path}: {metric['path']} is outside any data-api section")
            if api not in answers:
                status, answers[api] = self.demo.api(api)
                self.assertEqual(status, 200, f"{api}: {answers[api]}")
            field = resolve(answers[api], metric["path"])
            if not same(metric["value"], field):
                mismatches.append(f"{api} {metric['path']}: page {metric['value']!r}, API {field!r}")
            if not reads_as(metric["shown"], metric["value"]):
                mismatches.append(f"{api} {metric['path']}: shows {metric['shown']!r} for {metric['value']!r}")
        self.assertEqual(mismatches, [], f"{path}: the page and the API disagree")
        self.screenshot(name)
        print(f"{path}: {len(metrics)} numbers equal to {len(answers)} API calls", file=sys.stderr)
        return metrics

    def test_every_page_shows_the_apis_numbers(self):
        # Without a session every page sends the browser to the sign-in form.
        self.assertTrue(self.visit("/campaigns").endswith("/signin"))
        self.driver.find_element(By.NAME, "key").send_keys("sk_wrong" + "x" * 29)
        self.driver.find_element(By.CSS_SELECTOR, "form[action='/signin'] button[type=submit]").click()
        # The refusal is a new page: wait for it, not for the click to return.
        wait_until("the sign-in form's refusal", lambda: self.driver.find_elements(By.CSS_SELECTOR, "[data-signin-error]"), timeout=30)
        self.assertIn("not a secret key", self.driver.find_element(By.CSS_SELECTOR, "[data-signin-error]").text)
        self.screenshot("0-signin-refused")
        self.driver.find_element(By.NAME, "key").send_keys(self.demo.key)
        self.driver.find_element(By.CSS_SELECTOR, "form[action='/signin'] button[type=submit]").click()
        wait_until("the token health page after sign-in", lambda: self.driver.current_url == self.demo.base + "/", timeout=30)
        cookies = {cookie["name"]: cookie for cookie in self.driver.get_cookies()}
        session = cookies["perch_session"]
        self.assertTrue(session["httpOnly"] and session.get("sameSite") == "Strict" and session["path"] == "/", session)

        health = self.check_page("/", "1-token-health", minimum=40)
        active = next(m for m in health if m["path"] == "active")
        self.assertGreater(int(active["value"]), 0, "the demo has live tokens")
        self.check_page("/?platform=fcm&days=90", "2-token-health-fcm-90-days", minimum=30)

        listed = self.check_page("/campaigns", "3-campaigns", minimum=7)
        self.assertIn({"api": f"/v1/campaigns/{self.demo.campaign_id}", "path": "status", "value": "completed", "shown": "completed"}, listed)

        report = self.check_page(f"/campaigns/{self.demo.campaign_id}", "4-campaign-report", minimum=40)
        paths = {m["path"] for m in report}
        for required in ["funnel/attempted", "funnel/accepted", "funnel/delivered", "funnel/opened", "funnel/converted",
                         "lift/confidenceInterval/0", "lift/confidenceInterval/1", "lift/pValue", "lift/reading",
                         "revocationsWithin7Days", "unregistrationsWithin7Days", "funnel/revenuePerRecipient", "variants/1/funnel/accepted"]:
            self.assertIn(required, paths)

        # A demo user the campaign reached: the first accepted delivery row with a user id.
        status, export = self.demo.api(f"/v1/exports/deliveries?format=ndjson&campaignId={self.demo.campaign_id}")
        self.assertEqual(status, 200)
        rows = [json.loads(line) for line in export.splitlines() if line.strip()]
        reached = next(row for row in rows if row.get("userId") and row.get("state") == "accepted")
        user = self.check_page("/users?" + urllib.parse.urlencode({"userId": reached["userId"]}), "5-user-lookup", minimum=5)
        self.assertTrue(any(m["api"].startswith(f"/v1/campaigns/{self.demo.campaign_id}/explain") for m in user),
                        "the user's deliveries are shown")
        self.check_page("/users?" + urllib.parse.urlencode({"installationId": reached["installationId"]}), "6-installation-lookup", minimum=5)

        # Signing out ends the session.
        self.driver.find_element(By.CSS_SELECTOR, "form[action='/signout'] button").click()
        wait_until("the sign-in page after sign-out", lambda: self.driver.current_url.endswith("/signin"), timeout=30)
        self.assertTrue(self.visit("/").endswith("/signin"))


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    sys.exit(0 if result.wasSuccessful() else 1)
