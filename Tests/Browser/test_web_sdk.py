"""The web SDK in a real browser, against a real Perch and Perch's Web Push simulator.

Headless Chromium (Debian's `chromium` + `chromium-driver`, driven by Selenium and the DevTools protocol) loads
Perch's example page `/sdk/example.html`, which imports `/sdk/perch.js` and registers `/sdk/example-sw.js` (which
imports `/sdk/perch-sw.js`). The page is served by `perch serve` on 127.0.0.1 and calls the API under another
origin (`http://api.perch.test:PORT`, mapped to 127.0.0.1 inside Chromium), so CORS is exercised as on a real site.

The browser's own push service is unreachable here, so `PushManager.subscribe`/`getSubscription` are replaced (before
any page script runs) to hand back a subscription issued by `perch simulate`'s Web Push service for the app's VAPID key.
Everything after that is real: the SDK registers it with Perch; `POST /v1/send` encrypts a message for it and the
simulator accepts and decrypts it; the decrypted payload is delivered to the service worker through the DevTools
protocol (`ServiceWorker.deliverPushMessage`, what DevTools' "Push" button does); the worker shows the notification and
reports `received`; a `notificationclick` wrapping the shown notification is dispatched to the worker and it reports
`opened`. Each step is checked through Perch's API.

Run: `python3 Tests/Browser/test_web_sdk.py` after `swift build` (PERCH_BINARY overrides `.build/debug/perch`).
Screenshots go to `artifacts/browser/`. Only loopback addresses are contacted.
"""

import base64
import hashlib
import hmac
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

import websocket  # websocket-client, installed with selenium

from browser_support import start_chromium, wait_until

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
PERCH = Path(os.environ.get("PERCH_BINARY", ROOT / ".build" / "debug" / "perch"))
API_HOST = "api.perch.test"  # resolved to 127.0.0.1 by Chromium's --host-resolver-rules; never by DNS
USER_ID = "browser-user-1"


def mint_user_auth(user_id, identity_secret, lifetime=600):
    """What the site's backend does after its own sign-in: an HS256 JWT over {sub, exp} signed with the app's identity
    secret (PyJWT's jwt.encode does the same; written out so the test needs nothing beyond the standard library)."""
    def b64url(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64url(json.dumps({"sub": user_id, "exp": int(time.time()) + lifetime}).encode())
    signature = hmac.new(identity_secret.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{b64url(signature)}"


class Perch:
    """`perch serve` on 127.0.0.1 with SQLite in a temporary folder, and `perch simulate` beside it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.processes = []
        self.env = dict(os.environ, PERCH_MASTER_KEY="ab" * 32, PERCH_DATABASE_URL=f"sqlite:{folder / 'perch.sqlite'}",
                        PERCH_LOG_LEVEL="info")

    def spawn(self, name, *arguments):
        log = open(self.folder / f"{name}.log", "w")
        process = subprocess.Popen([str(PERCH), *arguments], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                   cwd=self.folder)
        self.processes.append((name, process, log))
        return process

    def run(self, *arguments):
        done = subprocess.run([str(PERCH), *arguments], env=self.env, capture_output=True, text=True, cwd=self.folder,
                              timeout=300)
        if done.returncode != 0:
            raise AssertionError(f"perch {arguments[0]} failed ({done.returncode}): {done.stdout}{done.stderr}")
        return done.stdout

    def start(self):
        state = self.folder / "simulator"
        simulator = self.spawn("simulate", "simulate", "--host", "127.0.0.1", "--state-dir", str(state))
        credentials_path = state / "credentials.json"
        wait_until("perch simulate to write credentials.json",
                   lambda: credentials_path.exists() and credentials_path.stat().st_size > 0 or simulator.poll() is not None,
                   timeout=120)
        if simulator.poll() is not None:
            raise AssertionError(f"perch simulate exited: {(self.folder / 'simulate.log').read_text()}")
        self.credentials = json.loads(credentials_path.read_text())
        self.simulator_tls = ssl.create_default_context(cafile=self.credentials["caCertificatePath"])

        self.app = json.loads(self.run("apps", "create", "--name", "Browser test"))
        self.run("apps", "connect-simulator", "--app", self.app["id"], "--state-dir", str(state))

        # Port 0: the system picks a free port, which perch serve writes to its --port-file once it listens.
        port_file = self.folder / "serve.port"
        server = self.spawn("serve", "serve", "--host", "127.0.0.1", "--port", "0", "--port-file", str(port_file),
                            # The example page is served only when asked for; the simulator's loopback ports are the operator's to allow.
                            "--sdk-example", "--allow-gateway-hosts", "127.0.0.1")

        def listening():
            if server.poll() is not None:
                raise AssertionError(f"perch serve exited: {(self.folder / 'serve.log').read_text()}")
            return port_file.exists() and port_file.read_text().strip().isdigit()

        wait_until("perch serve to report its port", listening, timeout=120)
        self.port = int(port_file.read_text().strip())
        self.base = f"http://127.0.0.1:{self.port}"

        def healthy():
            if server.poll() is not None:
                raise AssertionError(f"perch serve exited: {(self.folder / 'serve.log').read_text()}")
            try:
                return self.request("GET", "/healthz")[0] == 200
            except OSError:
                return False

        wait_until("perch serve to answer /healthz", healthy, timeout=120)

    def stop(self):
        for name, process, log in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.close()

    def request(self, method, path, body=None, key=None):
        """A call to Perch's API with the app's secret key (or `key`); answers (status, JSON)."""
        headers = {"Content-Type": "application/json"}
        key = key or getattr(self, "app", {}).get("secretKey")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def simulator(self, method, url, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30, context=self.simulator_tls) as answer:
            return json.loads(answer.read())

    def events(self, user_id):
        status, export = self.request("GET", f"/v1/users/{user_id}/export")
        return export["events"] if status == 200 else []


class DevTools:
    """The browser's DevTools protocol over its WebSocket, with flattened target sessions."""

    def __init__(self, address):
        with urllib.request.urlopen(f"http://{address}/json/version", timeout=10) as answer:
            endpoint = json.loads(answer.read())["webSocketDebuggerUrl"]
        self.socket = websocket.create_connection(endpoint, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def call(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        while True:
            answer = json.loads(self.socket.recv())
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise AssertionError(f"{method}: {answer['error']}")
                return answer["result"]
            self.events.append(answer)

    def attach(self, kind, url_prefix):
        targets = self.call("Target.getTargets")["targetInfos"]
        target = next((t for t in targets if t["type"] == kind and t["url"].startswith(url_prefix)), None)
        if target is None:
            raise AssertionError(f"no {kind} target at {url_prefix}: {[(t['type'], t['url']) for t in targets]}")
        return self.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})["sessionId"]

    def evaluate(self, session, expression):
        """Evaluates an async expression in a target; answers its JSON value or fails with the thrown error."""
        result = self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True},
                           session=session)
        if "exceptionDetails" in result:
            raise AssertionError(f"evaluation failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self):
        self.socket.close()


# Installed by Page.addScriptToEvaluateOnNewDocument before any page script: PushManager hands back the subscription
# the simulator issued, bound to the applicationServerKey it was issued for (as a real push service binds it).
PUSH_MANAGER_STUB = """
(() => {
  const issued = %(subscription)s;
  const issuedKey = %(key)s;
  const bytes = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=')), (c) => c.charCodeAt(0));
  const STORED = 'perch-browser-test-subscription';
  const subscription = () => ({
    endpoint: issued.endpoint,
    expirationTime: null,
    options: {userVisibleOnly: true, applicationServerKey: bytes(issuedKey).buffer},
    getKey: (name) => bytes(issued.keys[name]).buffer,
    toJSON: () => ({endpoint: issued.endpoint, expirationTime: null, keys: {...issued.keys}}),
    unsubscribe: async () => { localStorage.removeItem(STORED); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    if (Notification.permission !== 'granted') {
      throw new DOMException('Registration failed - permission denied', 'NotAllowedError');
    }
    const key = new Uint8Array(options.applicationServerKey.buffer ?? options.applicationServerKey);
    const expected = bytes(issuedKey);
    if (!options.userVisibleOnly || key.length !== expected.length || key.some((b, i) => b !== expected[i])) {
      throw new DOMException('the test push service issued its subscription for another key', 'InvalidStateError');
    }
    localStorage.setItem(STORED, '1');
    return subscription();
  };
  PushManager.prototype.getSubscription = async function () {
    return localStorage.getItem(STORED) ? subscription() : null;
  };
})();
"""


class WebSDKInRealBrowserTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not PERCH.exists():
            raise AssertionError(f"{PERCH} not found: run `swift build` first (or set PERCH_BINARY)")
        cls.folder = Path(tempfile.mkdtemp(prefix="perch-browser-"))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        cls.perch = Perch(cls.folder)
        cls.driver = None
        cls.devtools = None
        try:
            cls.perch.start()
            cls.start_browser()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start_browser(cls):
        cls.driver = start_chromium(cls.folder / "chromium-profile", mapped_hosts=[API_HOST])
        cls.devtools = DevTools(cls.driver.capabilities["goog:chromeOptions"]["debuggerAddress"])

    @classmethod
    def tearDownClass(cls):
        if cls.devtools:
            cls.devtools.close()
        if cls.driver:
            cls.driver.quit()
        cls.perch.stop()
        if os.environ.get("PERCH_KEEP_BROWSER_TEST") is None:
            shutil.rmtree(cls.folder, ignore_errors=True)
        else:
            print(f"kept {cls.folder}", file=sys.stderr)

    # -- helpers ------------------------------------------------------------------------------------------------

    def page(self, script):
        """Runs `script` (async, with `example` = window.perchExample after init) in the page; answers its value."""
        wrapped = """
        const done = arguments[arguments.length - 1];
        (async () => {
          const example = window.perchExample;
          await example.ready;
          %s
        })().then((value) => done({ok: true, value}), (error) => done({ok: false, error: String(error && error.message || error)}));
        """ % script
        result = self.driver.execute_async_script(wrapped)
        self.assertTrue(result["ok"], f"page script failed: {result.get('error')}")
        return result["value"]

    def screenshot(self, name):
        self.driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))

    def load_example(self):
        app = self.perch.app
        fragment = (f"publishableKey={app['publishableKey']}&vapidPublicKey={app['vapidPublicKey']}"
                    f"&apiUrl=http://{API_HOST}:{self.perch.port}")
        # A new query per visit: the same URL with a fragment would be a same-document navigation, not a page load.
        self.visits = getattr(self, "visits", 0) + 1
        self.driver.get(f"{self.origin}/sdk/example.html?visit={self.visits}#{fragment}")
        self.page("return true;")
        return self.page("return {installationId: example.perch.getInstallationId(), errors: example.errors};")

    def installation(self, installation_id):
        return self.perch.request("GET", f"/v1/installations/{installation_id}")

    def event_types(self):
        return [(event["type"], event.get("properties") or {}, event.get("deliveryId"), event.get("campaignId"))
                for event in self.perch.events(USER_ID)]

    # -- the flow -----------------------------------------------------------------------------------------------

    def test_register_receive_and_open_through_the_sdk(self):
        started = time.monotonic()
        perch, devtools = self.perch, self.devtools
        self.origin = perch.base
        app = perch.app

        # The simulator's Web Push service issues the subscription the browser's push service would have.
        subscription = perch.simulator("POST", perch.credentials["webpush"]["subscriptionsURL"],
                                       {"applicationServerKey": app["vapidPublicKey"]})
        browser = devtools.call("Target.getTargets")  # the browser session itself
        self.assertTrue(browser["targetInfos"])
        page_session = devtools.attach("page", "")
        devtools.call("Page.enable", session=page_session)
        devtools.call("Page.addScriptToEvaluateOnNewDocument", {
            "source": PUSH_MANAGER_STUB % {"subscription": json.dumps(subscription), "key": json.dumps(app["vapidPublicKey"])},
        }, session=page_session)

        # 1. First visit: the SDK starts, keeps an installation id, registers the worker; nothing asked yet.
        first = self.load_example()
        installation_id = first["installationId"]
        self.assertTrue(installation_id, "the SDK made an installation id")
        self.assertEqual(first["errors"], [])
        self.assertEqual(self.installation(installation_id)[0], 404, "no token registered before permission")

        # 2. Identify before any token: kept and sent with the first registration.
        user_auth = mint_user_auth(USER_ID, app["identitySecret"])
        pending = self.page("return await example.perch.identify('%s', '%s');" % (USER_ID, user_auth))
        self.assertEqual(pending.get("pending"), True)

        # 3. The soft prompt: headless Chromium answers every permission prompt with "deny", so this is the real
        #    denied path: prompt_shown and permission_denied are queued with the strategy (no installation yet).
        answer = self.page("return await example.perch.requestPermission({strategy: 'test-soft-prompt'});")
        self.assertEqual(answer, "denied")
        self.screenshot("1-permission-denied")

        # 4. The person allows notifications in the site settings (DevTools grants the permission); on the next
        #    visit the SDK sees the grant, subscribes, registers with consent, the pending user id and events.
        devtools.call("Browser.grantPermissions", {"origin": self.origin, "permissions": ["notifications"]})
        second = self.load_example()
        self.assertEqual(second["installationId"], installation_id, "the installation id is stable across visits")
        self.assertEqual(second["errors"], [])
        status, installation = self.installation(installation_id)
        self.assertEqual(status, 200, installation)
        self.assertEqual(installation["platform"], "webpush")
        self.assertEqual(installation["status"], "active")
        self.assertEqual(installation["userId"], USER_ID)
        self.assertEqual(installation["consent"]["status"], "granted")
        self.assertEqual(installation["appVersion"], "1.0.0")
        exported = perch.request("GET", f"/v1/users/{USER_ID}/export")[1]
        self.assertEqual([token["subscription"]["endpoint"] for token in exported["tokens"]], [subscription["endpoint"]])
        types = self.event_types()
        self.assertIn(("prompt_shown", {"strategy": "test-soft-prompt"}, None, None), types)
        self.assertIn(("permission_denied", {"strategy": "test-soft-prompt"}, None, None), types)
        self.assertIn(("permission_granted", {"strategy": "browser-settings"}, None, None), types)
        self.screenshot("2-registered")

        # 5. Every page load registers again, so lastSeenAt stays true; the token stays the same row.
        time.sleep(1.2)
        self.load_example()
        status, again = self.installation(installation_id)
        self.assertEqual(again["tokenId"], installation["tokenId"])
        self.assertGreater(again["lastSeenAt"], installation["lastSeenAt"])

        # 6. track() and setConsent() go to the API.
        tracked = self.page("return await example.perch.track('checkout_started', {plan: 'pro', value: 12.5, currency: 'EUR'});")
        self.assertEqual(tracked["stored"], 1)
        self.assertIn(("checkout_started", {"plan": "pro"}, None, None), self.event_types())
        self.page("return await example.perch.setConsent('revoked', {source: 'preferences-page'});")
        self.assertEqual(self.installation(installation_id)[1]["consent"]["status"], "revoked")
        status, suppressed = perch.request("POST", "/v1/send", {"to": {"installationId": installation_id},
                                                               "message": {"title": "Not now", "body": "withdrawn"}})
        self.assertEqual(suppressed["results"][0]["outcome"], "suppressed", suppressed)
        self.page("return await example.perch.setConsent('granted', {source: 'preferences-page'});")

        # 7. A real send: Perch encrypts for the subscription, the simulator accepts and decrypts it. Perch tags the
        #    message with its delivery and send (campaign) ids in data.perchDeliveryId / data.perchCampaignId.
        message = {"title": "Your order shipped", "body": "Track it on the site",
                   "url": f"{self.origin}/sdk/example.html?from=push", "data": {"order": "42"}}
        status, sent = perch.request("POST", "/v1/send", {"to": {"installationId": installation_id}, "message": message})
        self.assertEqual(status, 200, sent)
        self.assertEqual(sent["results"][0]["outcome"], "accepted", sent)
        delivery_id = sent["results"][0]["deliveryId"]
        received = perch.simulator("GET", perch.credentials["webpush"]["url"] + "/_sim/received")
        pushes = [push for push in received if push["token"] == subscription["endpoint"]]
        self.assertEqual(len(pushes), 1, received)
        plaintext = base64.b64decode(pushes[0]["body"]).decode()
        tagged = json.loads(plaintext)["data"]
        self.assertEqual(tagged["perchDeliveryId"], delivery_id)
        campaign_id = tagged["perchCampaignId"]
        self.assertEqual(campaign_id, sent["sendId"])

        # 8. The push service hands it to the browser: DevTools delivers that plaintext to the service worker.
        devtools.call("ServiceWorker.enable", session=page_session)
        scope = f"{self.origin}/sdk/"

        def registration_id():
            for event in devtools.events:
                if event.get("method") == "ServiceWorker.workerRegistrationUpdated":
                    for registration in event["params"]["registrations"]:
                        if registration["scopeURL"] == scope and not registration["isDeleted"]:
                            return registration["registrationId"]
            devtools.call("Target.getTargets")  # pumps pending events
            return None

        registration = wait_until("the service worker registration", registration_id, timeout=20)
        devtools.call("ServiceWorker.deliverPushMessage",
                      {"origin": self.origin, "registrationId": registration, "data": plaintext}, session=page_session)
        wait_until("Perch to record `received`",
                   lambda: ("received", {}, delivery_id, campaign_id) in self.event_types())
        worker = devtools.attach("service_worker", f"{self.origin}/sdk/example-sw.js")
        shown = devtools.evaluate(worker, """(async () => (await self.registration.getNotifications())
            .map((n) => ({title: n.title, body: n.body, data: n.data})))()""")
        self.assertEqual(len(shown), 1, shown)
        self.assertEqual((shown[0]["title"], shown[0]["body"]), (message["title"], message["body"]))
        self.assertEqual(shown[0]["data"]["perch"], {"url": message["url"], "deliveryId": delivery_id, "campaignId": campaign_id})
        self.assertEqual(shown[0]["data"]["data"]["order"], "42")
        # Headless Chromium draws no notification UI: for the screenshot, the page shows what the worker displayed.
        self.page("""
            const registration = await navigator.serviceWorker.getRegistration('/sdk/');
            const [notification] = await registration.getNotifications();
            const card = document.createElement('div');
            card.style.cssText = 'border:1px solid #99a;border-radius:8px;padding:.6rem;margin:.6rem 0;box-shadow:0 2px 6px #0002';
            card.innerHTML = '<small>notification shown by the service worker</small><br><b></b><br><span></span>';
            card.querySelector('b').textContent = notification.title;
            card.querySelector('span').textContent = notification.body;
            document.querySelector('#log').before(card);
            return true;""")
        self.screenshot("3-received")

        # 9. The click. No DevTools command clicks a notification, so the worker gets a `notificationclick`
        #    NotificationEvent wrapping the notification it showed, dispatched to the listener perch-sw.js added.
        #    Being synthetic, it carries no user activation: the browser refuses to open the URL, and that refusal
        #    must reach the page (failures are never swallowed) while `opened` is still recorded.
        devtools.evaluate(worker, """(async () => {
            const [notification] = await self.registration.getNotifications();
            self.dispatchEvent(new NotificationEvent('notificationclick', {notification}));
            return true;
        })()""")
        wait_until("Perch to record `opened`", lambda: ("opened", {}, delivery_id, campaign_id) in self.event_types())
        self.assertEqual(devtools.evaluate(worker, "(async () => (await self.registration.getNotifications()).length)()"), 0,
                         "the click closes the notification")
        errors = wait_until("the refused window to reach the page's onError",
                            lambda: [e for e in self.page("return example.errors;") if e["code"] == "open_failed"])
        self.assertIn("/sdk/example.html?from=push", errors[0]["message"])
        self.screenshot("4-opened")
        # The send's own numbers: accepted by the push service, delivered (received) and opened in the browser.
        counts = perch.request("GET", f"/v1/campaigns/{campaign_id}")[1]["counts"]
        self.assertEqual((counts["accepted"], counts["received"], counts["opened"]), (1, 1, 1), counts)

        # 10. The push service replaces the subscription (`pushsubscriptionchange`). Chromium never fires that event
        #     and its constructor takes only a real PushSubscription, so the worker's handler is called with the
        #     event's shape: a new subscription, again issued by the simulator. Perch must see a new token for the
        #     same installation and mark the old one replaced.
        renewed = perch.simulator("POST", perch.credentials["webpush"]["subscriptionsURL"],
                                  {"applicationServerKey": app["vapidPublicKey"]})
        devtools.evaluate(worker, """(async () => {
            const issued = %s;
            await self.perch.handleSubscriptionChange({newSubscription: {endpoint: issued.endpoint,
                toJSON: () => ({endpoint: issued.endpoint, expirationTime: null, keys: issued.keys})}});
            return true;
        })()""" % json.dumps(renewed))
        status, changed = self.installation(installation_id)
        self.assertNotEqual(changed["tokenId"], installation["tokenId"])
        self.assertEqual(changed["status"], "active")
        tokens = {token["tokenId"]: token for token in perch.request("GET", f"/v1/users/{USER_ID}/export")[1]["tokens"]}
        self.assertEqual(tokens[installation["tokenId"]]["status"], "replaced")
        self.assertEqual(tokens[changed["tokenId"]]["subscription"]["endpoint"], renewed["endpoint"])

        # 11. logout() unbinds the installation.
        self.page("return await example.perch.logout();")
        self.assertIsNone(self.installation(installation_id)[1].get("userId"))
        print(f"browser flow took {time.monotonic() - started:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
