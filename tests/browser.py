"""Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
JSON messages ended by a NUL byte, on file descriptors 3 and 4 of the browser), with the
standard library only.  ``CHROMIUM_LOG=FILE`` keeps the browser's own log.  ``Chromium.open(url)`` loads a page in a fresh tab and returns what
it did: every request it made, every console error or uncaught exception, and a handle to
evaluate JavaScript and take a screenshot.

The browser runs with a proxy that points nowhere, so a request a page makes fails here
instead of reaching the network; the test sees it in the Network events either way."""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> Optional[str]:
    return next((found for found in map(shutil.which, NAMES) if found), None)


class BrowserGone(Exception):
    pass


@dataclass
class Loaded:
    """A page as loaded: its requests, console errors and a handle to look further."""

    browser: "Chromium"
    session: str
    target: str
    requests: list = field(default_factory=list)  # URLs
    errors: list = field(default_factory=list)  # console errors, uncaught exceptions, error log entries

    def evaluate(self, expression: str) -> Any:
        result = self.browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                                   self.session)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self) -> bytes:
        self.browser.send("Page.bringToFront", session=self.session)  # a tab behind another never paints
        data = self.browser.send("Page.captureScreenshot", {"format": "png"}, self.session)["data"]
        return base64.b64decode(data)

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})

    def settle(self, seconds: float = 0.3) -> None:
        """Let late events arrive, then gather them again."""
        self.browser.pump(seconds)
        self.browser.collect(self)


class Chromium:
    def __init__(self, exe: str, profile: Path) -> None:
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                "--hide-scrollbars", "about:blank"]
        # the browser reads commands on fd 3 and writes answers on fd 4: a small Python puts the
        # pipes there and becomes the browser
        trampoline = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
                      "os.execv(sys.argv[3], sys.argv[3:])")
        log = open(os.environ.get("CHROMIUM_LOG", os.devnull), "w")
        self.proc = subprocess.Popen([sys.executable, "-c", trampoline, str(to_r), str(from_w), *args],
                                     pass_fds=(to_r, from_w), stdout=subprocess.DEVNULL, stderr=log)
        log.close()
        os.close(to_r)
        os.close(from_w)
        self._out, self._in = to_w, from_r
        self._buffer = b""
        self._id = 0
        self.events: list[dict] = []

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (BrowserGone, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._out, self._in):
            try:
                os.close(fd)
            except OSError:
                pass

    def _read(self, timeout: float) -> Optional[dict]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._in], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise BrowserGone("chromium closed its DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: Optional[dict] = None, session: Optional[str] = None,
             timeout: float = 30.0) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            answer = self._read(max(0.0, left)) if left > 0 else None
            if answer is None:
                raise TimeoutError(f"no answer to {method} in {timeout:g} s")
            if answer.get("id") == self._id:
                if "error" in answer:
                    raise AssertionError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            event = self._read(left)
            if event is not None:
                self.events.append(event)

    def wait_for(self, method: str, session: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for event in self.events[seen:]:
                if event.get("method") == method and event.get("sessionId") == session:
                    return
            seen = len(self.events)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {method} in {timeout:g} s")
            event = self._read(left)
            if event is not None:
                self.events.append(event)

    def open(self, url: str, width: int = 1280, height: int = 900, mobile: bool = False,
             scripts: bool = True) -> Loaded:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}, session)
        if not scripts:  # the page's own scripts; Runtime.evaluate still reads the page
            self.send("Emulation.setScriptExecutionDisabled", {"value": True}, session)
        self.send("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)
        loaded = Loaded(self, session, target)
        loaded.settle()
        return loaded

    def collect(self, loaded: Loaded) -> None:
        mine = [e for e in self.events if e.get("sessionId") == loaded.session]
        loaded.requests = [e["params"]["request"]["url"] for e in mine if e["method"] == "Network.requestWillBeSent"]
        errors = []
        for e in mine:
            p = e.get("params", {})
            if e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif e["method"] == "Runtime.exceptionThrown":
                errors.append(p["exceptionDetails"].get("exception", {}).get("description")
                              or p["exceptionDetails"].get("text", ""))
            elif e["method"] == "Log.entryAdded" and p["entry"].get("level") == "error":
                errors.append(p["entry"].get("text", ""))
        loaded.errors = errors
