"""pytest fixtures for Casefile's end-to-end tests.

Every running app gets its own `tauri-driver` (which starts its own
WebKitWebDriver, which starts the app) on freshly chosen free ports, with
CASEFILE_DATA_DIR pointing at the library directory that app must use. One
driver per app means:

* the data directory can differ between apps (it is passed by environment,
  and the app inherits tauri-driver's environment);
* two apps can run at once (second-instance test);
* a stale tauri-driver or WebKitWebDriver left on 4444/4445 by someone else
  cannot intercept our commands.

Every library is encrypted. Started with ``unlock=True`` (the default), an app
is taken through its lock screen as a person would: at first start the
passphrase PASSPHRASE is typed twice; on an existing library it is typed once
(libraries made by ``casefile-bench`` use the same test passphrase). New
passphrase slots use a cheap key derivation (CASEFILE_KDF), so this is fast.

Use the ``launch`` fixture:

    def test_x(launch, data_dir):
        app = launch()                 # on the test's data_dir, past the lock screen
        app.session.find(...)          # a webdriver.Session
        app.restart()                  # quit, then start again on the same data dir (unlocked)
        other = launch(tmp_path / "b", name="other")   # a second app
        locked = launch(unlock=False)  # stops at the lock screen (first start or unlock)

Everything started is stopped at teardown, also when the test fails; on
failure a screenshot, the page's DOM and the driver/app log of each app still
running go to tests/e2e/artifacts/.

Environment:
  CASEFILE_APP      the app binary (default $CARGO_TARGET_DIR or <repo>/target,
                    then debug/casefile-app)
  TAURI_DRIVER      tauri-driver binary (default: PATH, then ~/.cargo/bin)
  WEBKIT_WEBDRIVER  WebKitWebDriver binary (default: PATH)
  DISPLAY           used if set (e.g. under `xvfb-run -a`); else we start Xvfb
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from webdriver import Session, WebDriverError, http_json

REPO = Path(__file__).resolve().parents[2]
# Where cargo put the binaries (CARGO_TARGET_DIR, as scripts/e2e.sh builds them).
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
APP = Path(os.environ.get("CASEFILE_APP", TARGET / "debug" / "casefile-app"))
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

# Any of these being visible means the UI has started (list or fatal error).
READY_CSS = ("[data-testid=case-list], [data-testid=empty-state], "
             "[data-testid=fatal-error]")
# Any of these being visible means the app shows what stands before the library.
DOOR_CSS = ("[data-testid=setup-form], [data-testid=unlock-form], [data-testid=fatal-error], "
            "[data-testid=keys-destroyed-screen], [data-testid=plaintext-locked-screen], "
            "[data-testid=case-list], [data-testid=empty-state]")
# The passphrase of every library the tests make (casefile_core::TEST_PASSPHRASE).
PASSPHRASE = "test passphrase: not for real libraries"
# New key slots: Argon2id with 1 MiB and one pass instead of 256 MiB and three (tests only).
CHEAP_KDF = "m=1024,t=1,p=1"


def _find_binary(env_var, name, extra=()):
    for cand in [os.environ.get(env_var), shutil.which(name), *extra]:
        if cand and os.access(cand, os.X_OK):
            return str(cand)
    return None


TAURI_DRIVER = _find_binary("TAURI_DRIVER", "tauri-driver",
                            [Path.home() / ".cargo" / "bin" / "tauri-driver"])
WEBKIT_WEBDRIVER = _find_binary("WEBKIT_WEBDRIVER", "WebKitWebDriver")


def capabilities(app_path, args=()):
    """What tauri-driver 2.x expects: it rewrites ``tauri:options`` into
    WebKitWebDriver's ``webkitgtk:browserOptions`` {binary, args}. WebKit
    then matches ``browserName`` against the name the webview reports, which
    for a Tauri (wry) app is "wry"."""
    return {"alwaysMatch": {
        "browserName": "wry",
        "tauri:options": {"application": str(app_path), "args": list(args)},
    }}


# --- processes ---------------------------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proc_table():
    """{pid: (ppid, state)} for every process, read from /proc."""
    table = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            table[int(d)] = (int(fields[1]), fields[0])
    return table


def _descendants(root):
    table = _proc_table()
    out, todo = [], [root]
    while todo:
        parent = todo.pop()
        kids = [p for p, (pp, _) in table.items() if pp == parent]
        out += kids
        todo += kids
    return out


def _alive(pid):
    """True while the process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def _exe(pid):
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


class App:
    """One Casefile app under its own tauri-driver, with one WebDriver session."""

    def __init__(self, data_dir, name, log_dir, env=None):
        self.data_dir, self.name = Path(data_dir), name
        self.log_path = Path(log_dir) / f"{name}.log"
        # The webview's own storage (localStorage: the auto-lock time) is the test's, not the
        # user's, so that a short auto-lock set by one test never reaches another.
        self.web_data = Path(log_dir) / "web-data"
        self.env = dict(env or {})
        self.driver = None      # the tauri-driver Popen
        self.session = None     # webdriver.Session
        self._pids = set()      # every descendant process seen, for cleanup
        self.starts = 0

    # -- start ------------------------------------------------------------------
    def start(self, wait_ready=True, timeout=60, unlock=True):
        """Start tauri-driver and open a session (which launches the app). With wait_ready,
        wait for the lock screen and (with unlock) get past it to the case list."""
        assert self.driver is None, f"{self.name} is already running"
        if not APP.is_file():
            pytest.fail(f"app binary {APP} not found: run `cargo build -p casefile-app` "
                        "or set CASEFILE_APP", pytrace=False)
        if not TAURI_DRIVER:
            pytest.fail("tauri-driver not found: run scripts/install-deps.sh test", pytrace=False)
        self.starts += 1
        for _ in range(3):   # retry if a port was grabbed in between
            if self._start_driver():
                break
            self._kill_driver()
        else:
            pytest.fail(f"{self.name}: tauri-driver did not come up; see {self.log_path}")
        caps = capabilities(APP)
        try:
            self.session = Session(self.url, caps, timeout=timeout)
        except Exception as e:
            raise AssertionError(f"{self.name}: could not create a WebDriver session "
                                 f"(app did not start?): {e}; log: {self.log_path}") from e
        self._remember_pids()
        if wait_ready:
            if unlock:
                self.wait_ready()
            else:
                self.wait_door()
        return self

    def _start_driver(self):
        port, native = _free_port(), _free_port()
        while native == port:
            native = _free_port()
        env = dict(os.environ)
        env["CASEFILE_DATA_DIR"] = str(self.data_dir)
        env.setdefault("CASEFILE_KDF", CHEAP_KDF)
        env["XDG_DATA_HOME"] = str(self.web_data)
        env.update(self.env)
        env.setdefault("RUST_BACKTRACE", "1")
        env.setdefault("NO_AT_BRIDGE", "1")                   # no accessibility bus
        # Note: do not set WEBKIT_DISABLE_DMABUF_RENDERER=1 here; with it,
        # WebKitGTK 2.50's WebDriver screenshots hang under Xvfb.
        cmd = [TAURI_DRIVER, "--port", str(port), "--native-port", str(native)]
        if WEBKIT_WEBDRIVER:
            cmd += ["--native-driver", WEBKIT_WEBDRIVER]
        log = open(self.log_path, "ab")
        log.write(f"\n=== start #{self.starts}: {' '.join(cmd)} "
                  f"CASEFILE_DATA_DIR={self.data_dir}\n".encode())
        log.flush()
        self.driver = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.url = f"http://127.0.0.1:{port}"
        # Ready when tauri-driver answers /status by forwarding it to *its own*
        # WebKitWebDriver (a stale server on a port would not be our child).
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.driver.poll() is not None:
                return False
            try:
                status = http_json("GET", self.url + "/status", timeout=2)
                kids = [p for p in _descendants(self.driver.pid) if _alive(p)]
                if status and status.get("ready", True) and kids:
                    return True
            except (OSError, WebDriverError, ValueError):
                pass
            time.sleep(0.1)
        return False

    def wait_door(self, timeout=30):
        """Wait until the page has loaded and shows its first screen (first start, unlock,
        or an error); return that element."""
        s = self.session
        s.wait_until(lambda: s.execute("return document.readyState") == "complete",
                     timeout, f"{self.name}: the page to load")
        return s.wait_visible(DOOR_CSS, timeout)

    def wait_ready(self, timeout=30):
        """Wait for the first screen, get past the lock screen with PASSPHRASE (set at first
        start, typed to unlock), and wait for the case list or a fatal error."""
        door = self.wait_door(timeout).attribute("data-testid")
        if door == "setup-form":
            self.set_passphrase()
        elif door == "unlock-form":
            self.unlock()
        return self.session.wait_visible(READY_CSS, timeout)

    def _type(self, testid, text):
        field = self.session.find(f"[data-testid={testid}]")
        field.clear()
        field.send_keys(text)

    def set_passphrase(self, passphrase=PASSPHRASE, repeat=None):
        """First start: type the new passphrase twice and create the library."""
        self._type("setup-passphrase", passphrase)
        self._type("setup-repeat", passphrase if repeat is None else repeat)
        self.session.find("[data-testid=setup-submit]").click()

    def unlock(self, passphrase=PASSPHRASE):
        """On the lock screen: type the passphrase and unlock."""
        self.session.wait_visible("[data-testid=unlock-form]")
        self._type("unlock-passphrase", passphrase)
        self.session.find("[data-testid=unlock-submit]").click()

    # -- stop -------------------------------------------------------------------
    def app_pids(self):
        """Live processes running the app binary started for this App."""
        self._remember_pids()
        target = os.path.realpath(APP)
        return [p for p in self._pids if _alive(p) and _exe(p) == target]

    def _remember_pids(self):
        if self.driver is not None:
            self._pids.update(_descendants(self.driver.pid))

    def stop(self):
        """Quit the app: delete the session, then make sure tauri-driver,
        WebKitWebDriver and the app are all gone.

        WebKitWebDriver ends the app process itself when the session is
        deleted (it is gone before the DELETE returns; no window-close event
        reaches the app), so a restart after this also shows that saved data
        survives the app being ended abruptly."""
        if self.driver is None:
            return
        self._remember_pids()
        if self.session is not None:
            try:
                self.session.quit()
            except Exception:
                pass
            self.session = None
            deadline = time.monotonic() + 5      # let the app close on its own
            while time.monotonic() < deadline and self.app_pids():
                time.sleep(0.1)
        self._kill_driver()

    def _kill_driver(self):
        self._remember_pids()
        try:
            os.killpg(self.driver.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.driver.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for pid in [self.driver.pid, *self._pids]:   # also children that left the group
            if _alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            self.driver.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in self._pids):
            time.sleep(0.1)
        left = [p for p in self._pids if _alive(p)]
        self.driver, self._pids = None, set()
        assert not left, f"{self.name}: processes {left} survived SIGKILL"

    def restart(self, **kw):
        """Quit the app and start it again on the same data directory."""
        self.stop()
        return self.start(**kw)

    @property
    def running(self):
        return self.driver is not None


# --- fixtures ----------------------------------------------------------------

@pytest.fixture(scope="session", autouse=True)
def display():
    """Use $DISPLAY if set (xvfb-run); otherwise run our own Xvfb."""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        yield os.environ.get("DISPLAY")
        return
    if not shutil.which("Xvfb"):
        pytest.exit("no DISPLAY and no Xvfb: run under `xvfb-run -a` or install xvfb", 2)
    r, w = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x800x24",
                             "-nolisten", "tcp"], pass_fds=(w,), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    os.close(w)
    with os.fdopen(r) as f:
        number = f.readline().strip()
    os.environ["DISPLAY"] = f":{number}"
    try:
        yield os.environ["DISPLAY"]
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)
        del os.environ["DISPLAY"]


@pytest.fixture
def data_dir(tmp_path):
    """The test's library directory (not created: the app must create it)."""
    return tmp_path / "library"


@pytest.fixture
def launch(request, tmp_path, data_dir):
    """launch(library=None, name=None, wait_ready=True, unlock=True, env=None) -> a
    started App (on the test's data_dir unless another library directory is given; env:
    more environment for the app); all are stopped at teardown."""
    apps = []

    def _launch(library=None, name=None, wait_ready=True, unlock=True, env=None):
        app = App(library or data_dir, name or f"app{len(apps) + 1}", tmp_path, env)
        apps.append(app)
        return app.start(wait_ready=wait_ready, unlock=unlock)

    yield _launch

    rep = getattr(request.node, "rep_call", None)
    failed = rep is None or rep.failed
    errors = []
    for app in apps:
        if failed:
            _save_failure_artifacts(request.node.name, app)
        try:
            app.stop()
        except Exception as e:   # keep stopping the others
            errors.append(f"{app.name}: {e}")
    assert not errors, "teardown: " + "; ".join(errors)


def _save_failure_artifacts(test_name, app):
    base = ARTIFACTS / re.sub(r"[^\w.-]+", "_", f"{test_name}-{app.name}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if app.session is not None:
        app.session.timeout = 15
        try:
            app.session.screenshot(f"{base}.png")
            Path(f"{base}.html").write_text(app.session.source or "")
        except Exception as e:
            Path(f"{base}.error.txt").write_text(f"could not take screenshot: {e}\n")
    if app.log_path.exists():
        shutil.copy(app.log_path, f"{base}.log")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Expose each phase's report as item.rep_setup / rep_call / rep_teardown."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
