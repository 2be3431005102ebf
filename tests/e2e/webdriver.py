"""A small W3C WebDriver client (standard library only: http.client + json).

Just enough of https://www.w3.org/TR/webdriver2/ for the Casefile end-to-end
tests, which talk to `tauri-driver` (which forwards to WebKitWebDriver):

    s = Session("http://127.0.0.1:4444", {"alwaysMatch": {...}})
    s.find("[data-testid=new-case]").click()
    s.wait_visible("[data-testid=case-form]")
    s.screenshot("artifacts/form.png")
    s.quit()

Errors returned by the remote end are raised as WebDriverError; wait helpers
raise WaitTimeout with a message saying what was being waited for.
"""

import base64
import json
import os
import time
import http.client
import urllib.parse

# The key under which W3C WebDriver serialises an element reference.
ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"
# Modifier keys, as W3C WebDriver names them (for Session.press).
CONTROL = "\ue009"


class WebDriverError(Exception):
    """An error response from the remote end (``value.error`` / ``value.message``)."""

    def __init__(self, method, path, status, error, message):
        self.status, self.error, self.message = status, error, message
        super().__init__(f"{method} {path} -> HTTP {status} {error}: {message}")


class WaitTimeout(AssertionError):
    """A wait_until condition did not become true in time (an assertion failure)."""


def http_json(method, url, body=None, timeout=60.0):
    """Send one JSON request; return the decoded ``value`` member of the reply.

    Uses http.client rather than urllib.request on purpose: urllib always
    sends ``Connection: close``, tauri-driver forwards that header to
    WebKitWebDriver, which then closes its pooled connection to tauri-driver;
    when the next command arrives quickly tauri-driver reuses the closing
    connection and the command fails with "connection reset". Plain HTTP/1.1
    keep-alive requests avoid that race.
    """
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    data = None if body is None else json.dumps(body).encode("utf-8")
    headers = {"Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json; charset=utf-8"
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        status, raw = resp.status, resp.read()
    finally:
        conn.close()
    try:
        value = json.loads(raw).get("value") if raw else None
    except (ValueError, AttributeError):
        value = {"error": "unknown error", "message": raw[:500].decode("utf-8", "replace")}
    if status >= 400:
        v = value if isinstance(value, dict) else {}
        raise WebDriverError(method, path, status, v.get("error"), v.get("message"))
    return value


class Element:
    """A reference to one DOM element in a session."""

    def __init__(self, session, element_id, selector=""):
        self.session, self.id, self.selector = session, element_id, selector

    def __repr__(self):
        return f"<Element {self.selector!r} {self.id}>"

    def _cmd(self, method, suffix, body=None):
        return self.session.command(method, f"/element/{self.id}{suffix}", body)

    def find(self, css):
        """First descendant matching a CSS selector (raises WebDriverError if none)."""
        v = self._cmd("POST", "/element", {"using": "css selector", "value": css})
        return Element(self.session, v[ELEMENT_KEY], css)

    def find_all(self, css):
        v = self._cmd("POST", "/elements", {"using": "css selector", "value": css})
        return [Element(self.session, e[ELEMENT_KEY], css) for e in v]

    def click(self):
        self._cmd("POST", "/click", {})

    def clear(self):
        self._cmd("POST", "/clear", {})

    def send_keys(self, text):
        self._cmd("POST", "/value", {"text": text})

    @property
    def text(self):
        """The element's visible text as WebDriver computes it (Get Element Text).

        Caveat: WebKitWebDriver's visibility check wrongly drops text inside
        ``overflow: hidden; text-overflow: ellipsis`` grid items; use
        ``inner_text`` to check what a user reads.
        """
        return self._cmd("GET", "/text")

    @property
    def inner_text(self):
        """The browser's own rendering of the text (the ``innerText`` property)."""
        return self.prop("innerText") or ""

    def attribute(self, name):
        return self._cmd("GET", f"/attribute/{name}")

    def prop(self, name):
        """A DOM property, e.g. ``value`` of an input or select."""
        return self._cmd("GET", f"/property/{name}")

    def is_displayed(self):
        return bool(self._cmd("GET", "/displayed"))

    def select_value(self, value):
        """Choose the option with this value in a <select>, as a user would.

        Fires ``input`` and ``change`` the way a user's choice does, so the
        page's change handler runs exactly once.
        """
        self.session.execute(
            "const [s, v] = arguments;"
            "if (![...s.options].some(o => o.value === v)) throw new Error('no option ' + v);"
            "s.focus(); s.value = v;"
            "s.dispatchEvent(new Event('input', {bubbles: true}));"
            "s.dispatchEvent(new Event('change', {bubbles: true}));",
            self, value)


class Session:
    """One WebDriver session. Creating the object creates the session."""

    def __init__(self, base_url, capabilities, timeout=60.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        v = http_json("POST", self.base_url + "/session",
                     {"capabilities": capabilities}, timeout)
        self.id = v["sessionId"]
        self.capabilities = v.get("capabilities", {})

    def command(self, method, suffix, body=None):
        """Send a command for this session; return the reply's ``value``."""
        return http_json(method, f"{self.base_url}/session/{self.id}{suffix}", body,
                        self.timeout)

    def quit(self):
        """Delete the session (the native driver then closes the application)."""
        if self.id is not None:
            sid, self.id = self.id, None
            http_json("DELETE", f"{self.base_url}/session/{sid}", None, self.timeout)

    # --- elements -----------------------------------------------------------
    def find(self, css):
        v = self.command("POST", "/element", {"using": "css selector", "value": css})
        return Element(self, v[ELEMENT_KEY], css)

    def find_all(self, css):
        v = self.command("POST", "/elements", {"using": "css selector", "value": css})
        return [Element(self, e[ELEMENT_KEY], css) for e in v]

    def press(self, *keys):
        """Press keys together, as a person does a shortcut: ``press(CONTROL, "l")``. The
        keys go to whatever has the focus (W3C Perform Actions)."""
        down = [{"type": "keyDown", "value": k} for k in keys]
        up = [{"type": "keyUp", "value": k} for k in reversed(keys)]
        self.command("POST", "/actions",
                     {"actions": [{"type": "key", "id": "keyboard", "actions": down + up}]})
        self.command("DELETE", "/actions")

    # --- scripts, page, screenshots ------------------------------------------
    def execute(self, script, *args):
        """Run a synchronous script (a function body; use ``return``)."""
        wire = [{ELEMENT_KEY: a.id} if isinstance(a, Element) else a for a in args]
        v = self.command("POST", "/execute/sync", {"script": script, "args": wire})
        if isinstance(v, dict) and ELEMENT_KEY in v:
            return Element(self, v[ELEMENT_KEY])
        return v

    def get(self, url):
        """Navigate the current window to ``url``."""
        self.command("POST", "/url", {"url": url})

    @property
    def title(self):
        return self.command("GET", "/title")

    @property
    def source(self):
        """The page's serialised DOM (handy to save next to a failure screenshot)."""
        return self.command("GET", "/source")

    @property
    def url(self):
        return self.command("GET", "/url")

    def screenshot(self, path):
        """Save a PNG of the current window to ``path``; returns the path."""
        png = base64.b64decode(self.command("GET", "/screenshot"))
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "wb") as f:
            f.write(png)
        return path

    # --- waiting -------------------------------------------------------------
    def wait_until(self, condition, timeout=10.0, message="condition", interval=0.1):
        """Poll ``condition()`` until it returns something truthy; return that.

        WebDriverErrors raised by the condition (no such element, stale
        element, ...) count as "not yet". On timeout raise WaitTimeout naming
        ``message`` and the last value or error seen.
        """
        __tracebackhide__ = True  # pytest: show the caller, not this loop
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                result = condition()
                if result:
                    return result
                last = f"last result: {result!r}"
            except WebDriverError as e:
                last = f"last error: {e}"
            if time.monotonic() >= deadline:
                raise WaitTimeout(f"timed out after {timeout:.0f}s waiting for {message} ({last})")
            time.sleep(interval)

    def wait_visible(self, css, timeout=10.0):
        """Wait until an element matching ``css`` exists and is displayed; return it."""
        __tracebackhide__ = True
        def visible():
            for el in self.find_all(css):
                if el.is_displayed():
                    return el
            return None
        return self.wait_until(visible, timeout, f"{css} to be visible")

    def wait_gone(self, css, timeout=10.0):
        """Wait until no element matching ``css`` is displayed."""
        __tracebackhide__ = True
        self.wait_until(lambda: not any(e.is_displayed() for e in self.find_all(css)),
                        timeout, f"{css} to be hidden or removed")
