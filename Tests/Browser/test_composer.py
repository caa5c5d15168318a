"""Running a campaign from the dashboard in a real browser, against `perch serve --demo`.

Starts `perch serve --demo --demo-size 2000` (as test_dashboard.py does), signs in through the form in headless Chromium,
then, with the keyboard alone: creates a segment and watches its live count match `POST /v1/segments/preview`; and with
the composer: a campaign for that segment with two variants and a holdout, dry-run from the composer (the page's numbers
checked against `POST /v1/campaigns/{id}/dry-run`), sent after the confirmation that repeats the count, watched to
completion as the page refreshes itself; a second campaign scheduled for tomorrow is cancelled from its page. Every
control of the composer is reached with Tab and has a label; the pages load nothing from outside 127.0.0.1.
Screenshots go to `artifacts/browser/composer-*.png`. Exits non-zero on any failure.

Run: `python3 Tests/Browser/test_composer.py` after `swift build` (PERCH_BINARY overrides `.build/debug/perch`).
"""

import datetime
import json
import sys
import unittest
import urllib.error
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from browser_support import wait_until
from test_dashboard import READ_METRICS, DemoInChromium, reads_as, resolve, same

SEGMENT_FILTER = 'known and user.plan in ["pro", "team"]'

# Every form control of the page that a person can operate, with whether it has a label a screen reader reads.
CONTROLS = """
const scope = document.querySelector(arguments[0]);
return Array.from(scope.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href]')).map((element) => ({
  key: element.name ? element.tagName + ':' + element.name + ':' + (element.value || '') : element.tagName + ':' + element.textContent.trim(),
  labelled: (element.labels && element.labels.length > 0) || element.hasAttribute('aria-label')
            || ((element.tagName === 'BUTTON' || element.tagName === 'A') && element.textContent.trim().length > 0),
}));
"""
FOCUSED = """
const element = document.activeElement;
if (!element || element === document.body) return null;
return element.name ? element.tagName + ':' + element.name + ':' + (element.value || '') : element.tagName + ':' + element.textContent.trim();
"""


class ComposerInRealBrowserTests(DemoInChromium, unittest.TestCase):
    screenshot_prefix = "composer"

    # -- helpers

    def post(self, path, body=None):
        """POST JSON with the demo app's secret key; answers (status, JSON)."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.demo.key}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.demo.base + path, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def screenshot(self, name):
        """Also notes every resource the page loaded, to check that none came from elsewhere."""
        self.loaded += self.driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        super().screenshot(name)

    def metric(self, name, scope="body"):
        """The metric's `data-value`, read in one step inside the page: a running campaign's page refreshes itself every
        few seconds, so an element found first and read afterwards may already have been replaced."""
        return self.driver.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.getAttribute('data-value') : null",
            f'{scope} [data-metric="{name}"]')

    def tab_to(self, name, limit=200):
        """Presses Tab until the control named `name` has the focus (the keyboard is all that moves)."""
        for _ in range(limit):
            if self.driver.execute_script("return document.activeElement && document.activeElement.name") == name:
                return
            ActionChains(self.driver).send_keys(Keys.TAB).perform()
        raise AssertionError(f"{name} is not reachable with Tab")

    def field(self, name):
        return self.driver.find_element(By.NAME, name)

    def sign_in(self):
        self.visit("/signin")
        self.field("key").send_keys(self.demo.key)
        self.driver.find_element(By.CSS_SELECTOR, "form[action='/signin'] button[type=submit]").click()
        wait_until("the dashboard after sign-in", lambda: self.driver.current_url == self.demo.base + "/", timeout=30)

    def every_control_is_reached_with_tab_and_labelled(self, scope):
        controls = self.driver.execute_script(CONTROLS, scope)
        unlabelled = [c["key"] for c in controls if not c["labelled"]]
        self.assertEqual(unlabelled, [], f"{scope}: controls without a label")
        wanted = {c["key"] for c in controls}
        ActionChains(self.driver).move_to_element(self.driver.find_element(By.TAG_NAME, "h1")).click().perform()
        reached = set()
        for _ in range(len(controls) * 3 + 40):
            ActionChains(self.driver).send_keys(Keys.TAB).perform()
            focused = self.driver.execute_script(FOCUSED)
            if focused:
                reached.add(focused)
            if wanted <= reached:
                break
        self.assertEqual(sorted(wanted - reached), [], f"{scope}: controls Tab never reaches")

    # -- the flow

    def test_a_marketer_runs_campaigns_from_the_dashboard(self):
        self.loaded = []
        self.sign_in()

        # 1. A segment, typed with the keyboard alone; its live count equals the API's preview of the same filter.
        self.visit("/segments")
        self.driver.find_element(By.LINK_TEXT, "New segment").click()
        wait_until("the segment form", lambda: self.driver.find_elements(By.NAME, "filter"))
        self.every_control_is_reached_with_tab_and_labelled("form.editor")
        self.tab_to("name")
        ActionChains(self.driver).send_keys("Paying customers").perform()
        self.tab_to("filter")
        ActionChains(self.driver).send_keys('known and user.plan in ["pro", "team"').perform()
        error = wait_until("the filter's parse error", lambda: self.driver.find_elements(By.CSS_SELECTOR, '[data-error="filter"][data-position]:not([hidden])'))
        self.assertGreater(int(error[0].get_attribute("data-position")), 0)
        self.screenshot("1-segment-parse-error")
        ActionChains(self.driver).send_keys("]").perform()
        status, preview = self.post("/v1/segments/preview", {"filter": SEGMENT_FILTER})
        self.assertEqual(status, 200, preview)
        self.assertGreater(preview["installations"], 0)
        wait_until("the live count", lambda: self.metric("installations") == str(preview["installations"]), timeout=30)
        self.assertEqual(self.metric("people"), str(preview["people"]))
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, '[data-error="filter"]:not([hidden])'), [])
        self.screenshot("2-segment-live-count")
        self.tab_to("filter")
        ActionChains(self.driver).send_keys(Keys.TAB).perform()  # to the save button
        ActionChains(self.driver).send_keys(Keys.ENTER).perform()
        wait_until("the saved segment", lambda: "saved=1" in self.driver.current_url, timeout=30)
        segment_id = self.driver.current_url.split("/segments/")[1].split("?")[0]

        # 2. The composer: two variants and a holdout for that segment, a live preview per platform.
        self.driver.find_element(By.LINK_TEXT, "New campaign for this segment").click()
        wait_until("the composer", lambda: self.driver.find_elements(By.CSS_SELECTOR, "form[data-composer]"))
        self.every_control_is_reached_with_tab_and_labelled("form[data-composer]")
        self.assertEqual(self.field("audience.segmentId").get_attribute("value"), segment_id)
        values = {
            "name": "Winter upgrade", "message.title": 'Hi {{user.firstName | default: "there"}}', "message.body": "Team plans are 20% off this week",
            "message.url": "https://example.com/upgrade", "variants[0].name": "Plain", "variants[0].weight": "1",
            "variants[1].name": "Urgent", "variants[1].weight": "1", "variants[1].message.title": "Last days: 20% off",
            "variants[1].message.body": "Upgrade before Sunday", "holdoutPercent": "20",
        }
        for name, value in values.items():
            self.field(name).send_keys(value)
        wait_until("the live message preview", lambda: len(self.driver.find_elements(By.CSS_SELECTOR, "[data-preview-target] figure.preview")) >= 6, timeout=30)
        titles = [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, '[data-preview-target] [data-preview-field="title"]')]
        self.assertTrue(all("{{" not in title for title in titles), titles)
        self.screenshot("3-composer")

        # 3. Dry run from the composer: the draft is saved first; the page's numbers are the API's.
        self.driver.find_element(By.CSS_SELECTOR, 'button[data-action="dry-run"]').click()
        wait_until("the dry run", lambda: self.driver.current_url.endswith("/dry-run"), timeout=60)
        campaign_id = self.driver.current_url.split("/campaigns/")[1].split("/")[0]
        status, dry_run = self.post(f"/v1/campaigns/{campaign_id}/dry-run")
        self.assertEqual(status, 200, dry_run)
        metrics = [m for m in self.driver.execute_script(READ_METRICS) if m["api"] == f"/v1/campaigns/{campaign_id}/dry-run"]
        self.assertGreaterEqual(len(metrics), 5, metrics)
        for metric in metrics:
            self.assertTrue(same(metric["value"], resolve(dry_run, metric["path"])), f"{metric} vs {dry_run}")
            self.assertTrue(reads_as(metric["shown"], metric["value"]), metric)
        self.assertEqual(set(dry_run["byVariant"]), {"Plain", "Urgent"})
        self.assertGreater(dry_run["leftOut"].get("holdout", 0), 0, dry_run)
        self.assertEqual(sum(dry_run["byPlatform"].values()), dry_run["tokens"])
        self.screenshot("4-dry-run")

        # 4. Send, confirming the count; watch it complete as the page refreshes itself.
        button = self.driver.find_element(By.CSS_SELECTOR, 'button[data-action="send"]')
        self.assertIn(f"{dry_run['tokens']:,} tokens", button.text)
        self.assertIn(f"{dry_run['people']:,} people", button.text)
        self.screenshot("5-confirm-send")
        button.click()
        wait_until("the campaign page", lambda: self.driver.current_url == f"{self.demo.base}/campaigns/{campaign_id}", timeout=60)
        status_pill = lambda: self.metric("status", "#controls")
        wait_until("the page to show the campaign completed without a reload", lambda: status_pill() == "completed", timeout=300, interval=0.5)
        status, view = self.demo.api(f"/v1/campaigns/{campaign_id}")
        self.assertEqual(view["status"], "completed")
        self.assertEqual(view["counts"]["tokens"] - sum(view["counts"].get("suppressedByReason", {}).values()), dry_run["tokens"],
                         "the send went to the tokens the dry run counted")
        self.assertEqual(view["counts"]["suppressedByReason"], dry_run["leftOut"])
        self.screenshot("6-sent-and-completed")

        # Explain: a person of the audience, why each token was or wasn't sent.
        self.tab_to("explain")
        status, export = self.demo.api(f"/v1/exports/deliveries?format=ndjson&campaignId={campaign_id}")
        someone = next(json.loads(line) for line in export.splitlines() if line.strip() and json.loads(line).get("userId"))
        ActionChains(self.driver).send_keys(someone["userId"], Keys.ENTER).perform()
        wait_until("the explanation", lambda: self.driver.find_elements(By.CSS_SELECTOR, "#explain [data-verdict]"), timeout=30)
        self.screenshot("7-explain")

        # 5. Another campaign, scheduled for tomorrow, cancelled from its page.
        self.visit("/campaigns/new")
        tomorrow = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        self.field("name").send_keys("Tomorrow's reminder")
        self.field("audience.filter").send_keys("lastSeenAt within 30d")
        self.field("message.title").send_keys("Reminder")
        self.field("message.body").send_keys("Your cart is waiting")
        self.driver.execute_script("arguments[0].value = arguments[1]", self.field("schedule.at"), tomorrow)
        self.driver.find_element(By.CSS_SELECTOR, 'button[data-action="send"]').click()
        wait_until("the confirmation", lambda: "send=1" in self.driver.current_url, timeout=60)
        second_id = self.driver.current_url.split("/campaigns/")[1].split("/")[0]
        self.driver.find_element(By.CSS_SELECTOR, 'button[data-action="send"]').click()
        wait_until("the scheduled campaign", lambda: self.metric("status", "#controls") == "scheduled", timeout=60)
        self.screenshot("8-scheduled")
        self.driver.find_element(By.CSS_SELECTOR, 'button[data-action="cancel"]').click()
        wait_until("the cancelled campaign", lambda: self.metric("status", "#controls") == "cancelled", timeout=60)
        self.assertEqual(self.demo.api(f"/v1/campaigns/{second_id}")[1]["status"], "cancelled")
        self.screenshot("9-cancelled")

        # Offline: every resource any page loaded came from this server.
        self.assertTrue(any(url.endswith("/dashboard/dashboard.js") for url in self.loaded), "the pages' own script loaded")
        self.assertEqual([url for url in self.loaded if not url.startswith(self.demo.base)], [])


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    sys.exit(0 if result.wasSuccessful() else 1)
