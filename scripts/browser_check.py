#!/usr/bin/env python3
"""Drives the web UI in headless Chromium through the DevTools protocol, the way a user with a keyboard would:
log in, create an account and a contact, edit the contact with a validation error and see the error beside its
field, look at the page at 360 px wide; takes screenshots and checks that none is blank.

Standard library only (the DevTools WebSocket is spoken by the small client below).
Usage: browser_check.py BASE_URL OUTPUT_DIR [CHROMIUM]; prints one JSON line of results; exit 1 on a failure.
"""
import base64, json, os, shutil, signal, socket, struct, subprocess, sys, tempfile, time, urllib.request, zlib


class DevTools:
    """A minimal WebSocket client (RFC 6455: masked client frames, no extensions) for one DevTools target."""

    def __init__(self, url):
        host_port, path = url[len("ws://"):].split("/", 1)
        host, port = host_port.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += self.sock.recv(4096)
        if b" 101 " not in answer.split(b"\r\n")[0]:
            raise RuntimeError("DevTools refused the WebSocket: " + answer.decode(errors="replace"))
        self.buffer = answer.split(b"\r\n\r\n", 1)[1]
        self.next_id = 0

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _send(self, text):
        payload = text.encode()
        mask = os.urandom(4)
        length = len(payload)
        header = bytes([0x81])
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", length)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _receive(self):
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            if first & 0x0F == 0x8:
                raise RuntimeError("DevTools closed the WebSocket")
            if first & 0x0F in (0x9, 0xA):
                continue
            message += payload
            if first & 0x80:
                return json.loads(message)

    def call(self, method, **params):
        self.next_id += 1
        self._send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = self._receive()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})


class Browser:
    def __init__(self, chromium, base):
        self.base = base
        self.profile = tempfile.mkdtemp(prefix="crm-chromium-")
        self.process = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", "--window-size=1280,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 60
        while not os.path.exists(port_file) or not open(port_file).read().strip():
            if time.time() > deadline or self.process.poll() is not None:
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30))
        page = next(t for t in targets if t["type"] == "page")
        self.tools = DevTools(page["webSocketDebuggerUrl"])
        self.tools.call("Page.enable")

    def close(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def evaluate(self, expression):
        result = self.tools.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def mark(self):
        """Marks the current document, so that `wait_for` knows when another one has replaced it."""
        self.evaluate("window.crmOldPage = true")

    def wait_for(self, path_prefix, timeout=30):
        """Waits until a new document (see `mark`) at a path starting with `path_prefix` has loaded."""
        deadline, state = time.time() + timeout, None
        while time.time() < deadline:
            state = self.evaluate(
                "[location.pathname + location.search, document.readyState, window.crmOldPage === true]")
            if state and state[0].startswith(path_prefix) and state[1] == "complete" and not state[2]:
                return state[0]
            time.sleep(0.1)
        raise RuntimeError(f"the page {path_prefix} did not load; at {state}")

    def open(self, path):
        self.mark()
        self.tools.call("Page.navigate", url=self.base + path)
        return self.wait_for(path.split("?")[0])

    def submit(self, path_prefix):
        """Presses Enter in the focused input, which sends its form, and waits for the answer's page."""
        self.mark()
        self.press_enter()
        return self.wait_for(path_prefix)

    def type_into(self, element_id, text):
        """Focuses the input and types, as a keyboard does (select-all first, so the text replaces what is there)."""
        self.evaluate(f"document.getElementById({json.dumps(element_id)}).focus(); "
                      f"document.getElementById({json.dumps(element_id)}).select()")
        self.tools.call("Input.insertText", text=text)

    def press_enter(self):
        for kind in ("keyDown", "keyUp"):
            self.tools.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                            windowsVirtualKeyCode=13, nativeVirtualKeyCode=13, text="\r" if kind == "keyDown" else "")

    def screenshot(self, path):
        data = base64.b64decode(self.tools.call("Page.captureScreenshot", format="png")["data"])
        with open(path, "wb") as file:
            file.write(data)
        return data


def png_colours(data):
    """The number of distinct pixel values of a PNG (8-bit RGB or RGBA, as Chromium writes), up to 1000."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat, width, height, channels = 8, b"", 0, 0, 0
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"unexpected PNG format {depth}/{colour}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    raw, stride = zlib.decompress(idat), width * channels
    previous, colours = bytearray(stride), set()
    for row in range(height):
        kind = raw[row * (stride + 1)]
        line = bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        if row % 8 == 0 and len(colours) < 1000:
            for x in range(0, stride, channels * 4):
                colours.add(bytes(line[x:x + channels]))
        previous = line
    return len(colours)


def main():
    base, output = sys.argv[1].rstrip("/"), sys.argv[2]
    chromium = sys.argv[3] if len(sys.argv) > 3 else shutil.which("chromium") or shutil.which("chromium-browser")
    browser = Browser(chromium, base)
    shots, results = {}, {}
    try:
        browser.open("/login")
        browser.type_into("username", "rita")
        browser.type_into("password", "correct horse battery")
        browser.submit("/home")
        shots["home"] = browser.screenshot(os.path.join(output, "home.png"))

        browser.open("/records/Account/new")
        browser.type_into("field-name", "Browser Account Ltd")
        browser.type_into("field-city", "Ghent")
        account_path = browser.submit("/records/Account/")
        assert "Browser Account Ltd" in browser.evaluate("document.body.innerText"), "the account page lacks its name"
        account_id = account_path.rsplit("/", 1)[1]
        results["account"] = account_id

        browser.open("/records/Contact/new")
        browser.type_into("field-firstName", "Brenda")
        browser.type_into("field-lastName", "Browserson")
        browser.evaluate(f"document.getElementById('field-accountId').value = {json.dumps(account_id)}")
        browser.evaluate("document.getElementById('field-lastName').focus()")
        contact_path = browser.submit("/records/Contact/")
        text = browser.evaluate("document.body.innerText")
        assert "Browserson" in text and "Browser Account Ltd" in text, f"the contact page lacks its name or account: {contact_path} {text[:600]!r}"
        shots["contact"] = browser.screenshot(os.path.join(output, "contact.png"))

        browser.open(contact_path + "/edit")
        browser.type_into("field-email", "not-an-address")
        browser.submit(contact_path)
        error = browser.evaluate("(document.getElementById('field-email-error') || {}).textContent || ''")
        assert "not an email address" in error, f"no error beside the email field: {error!r}"
        kept = browser.evaluate("document.getElementById('field-email').value")
        assert kept == "not-an-address", f"the typed value was not kept: {kept!r}"
        invalid = browser.evaluate("document.getElementById('field-email').getAttribute('aria-invalid')")
        assert invalid == "true", "the invalid input is not marked for assistive technology"
        results["error"] = error.strip()
        shots["validation"] = browser.screenshot(os.path.join(output, "validation.png"))

        browser.tools.call("Emulation.setDeviceMetricsOverride", width=360, height=740, deviceScaleFactor=1, mobile=True)
        browser.open("/records/Account")
        overflow = browser.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 360, f"the list page is {overflow} px wide on a 360 px screen"
        shots["phone"] = browser.screenshot(os.path.join(output, "phone.png"))
    finally:
        browser.close()
    for name, data in shots.items():
        colours = png_colours(data)
        results[name] = {"bytes": len(data), "colours": colours}
        assert colours >= 3, f"the {name} screenshot is blank ({colours} colours)"
    print(json.dumps(results))


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # the test prints this line
        print(json.dumps({"failure": f"{type(error).__name__}: {error}"}))
        sys.exit(1)
