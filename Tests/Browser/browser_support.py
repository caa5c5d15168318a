"""What the browser tests share: polling, and Debian's headless Chromium driven by Selenium.

Chromium is started so that it can reach nothing but 127.0.0.1: every host name resolves to nowhere unless a test maps
it to 127.0.0.1 itself, and background networking (updates, sync, component downloads) is off.
"""

import shutil
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service


def wait_until(what, check, timeout=60.0, interval=0.2):
    """Polls `check` until it returns something truthy; fails naming `what` (and the last value) after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last: {last!r}")


def start_chromium(profile, window_size="1100,900", mapped_hosts=()):
    """Headless Chromium with its own profile folder; `mapped_hosts` resolve to 127.0.0.1, every other name to nowhere."""
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    rules = "".join(f"MAP {host} 127.0.0.1, " for host in mapped_hosts) + "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
    for argument in [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={window_size}",
        f"--user-data-dir={profile}",
        # Every name resolves to nowhere except the mapped ones; IP literals are only ever 127.0.0.1 here.
        f"--host-resolver-rules={rules}",
        "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-sync",
        "--disable-component-update", "--disable-default-apps", "--disable-extensions",
    ]:
        options.add_argument(argument)
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_script_timeout(60)
    return driver
