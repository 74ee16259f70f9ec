"""A real `portscreen serve` in a temporary data folder, and plain clients for its ZeroMQ
endpoints (docs/protocols.md), for the reliability tests.

    node = NodeProcess(binary, root / "node", name="NODE-A")   # free loopback ports
    node.start()            # waits until every endpoint accepts connections
    status, body = send_manifest(context, node.ingest, "msg-1", "application/json", payload)
    node.kill()             # SIGKILL; node.stop() is SIGTERM and a clean stop
    with node.read() as db: ...

Only the standard library and Debian's python3-zmq.
"""

import json
import os
import pathlib
import signal
import socket
import sqlite3
import subprocess
import time

import zmq


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def container_number(owner, serial):
    """An ISO 6346 number with its check digit: owner code (3 letters), `U`, 6 digits."""
    values, value = {}, 10
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if value % 11 == 0:
            value += 1
        values[letter] = value
        value += 1
    code = f"{owner}U{serial:06d}"
    total = sum((values[c] if c.isalpha() else int(c)) * 2 ** i for i, c in enumerate(code))
    return code + str(total % 11 % 10)


def wait_for(what, check, seconds=60, interval=0.05):
    """Polls `check` until it returns something true; fails naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(interval)


def port_open(endpoint):
    host, port = endpoint.rsplit("/", 1)[1].rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
        return True
    except OSError:
        return False


class NodeProcess:
    """One node: its data folder, loopback endpoints and, while it runs, its process."""

    def __init__(self, binary, data, name=None, config=None, share=False, log_level="info"):
        self.binary = str(binary)
        self.data = pathlib.Path(data)
        self.data.mkdir(parents=True, exist_ok=True)
        self.name = name or self.data.name
        self.ingest = f"tcp://127.0.0.1:{free_port()}"
        self.scans = f"tcp://127.0.0.1:{free_port()}"
        self.share = f"tcp://127.0.0.1:{free_port()}" if share else None
        self.config_path = self.data.parent / f"{self.data.name}.config.json"
        self.log_path = self.data.parent / f"{self.data.name}.log"
        self.log_level = log_level
        self.process = None
        self._log = None
        self.public = None
        if share:
            self.public = json.loads(self.cli("keys", "generate", "--data", self.data,
                                              "--name", self.name))
        if config is not None:
            self.configure(config)

    def configure(self, config):
        self.config_path.write_text(json.dumps(config))

    def cli(self, *args, env=None, timeout=300, check=True):
        """Runs `portscreen ARGS`; returns stdout, or raises with stderr when it fails."""
        done = subprocess.run([self.binary, *map(str, args)], capture_output=True, text=True,
                              timeout=timeout, env={**os.environ, **(env or {})})
        if check and done.returncode != 0:
            raise AssertionError(f"portscreen {' '.join(map(str, args))} failed "
                                 f"({done.returncode}):\n{done.stdout}{done.stderr}")
        return done.stdout

    def command(self):
        args = [self.binary, "serve", "--data", str(self.data), "--ingest", self.ingest,
                "--scans", self.scans, "--no-http", "--log-level", self.log_level]
        if self.config_path.exists():
            args += ["--config", str(self.config_path)]
        if self.share:
            args += ["--share", self.share]
        return args

    def start(self, wait=True, seconds=120):
        assert self.process is None, "already running"
        self._log = open(self.log_path, "a")
        self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                        stdout=self._log, stderr=self._log)
        if wait:
            self.wait_ready(seconds)

    def wait_ready(self, seconds=120):
        endpoints = [self.ingest, self.scans] + ([self.share] if self.share else [])

        def ready():
            if self.process.poll() is not None:
                raise AssertionError(f"node {self.name} exited with {self.process.returncode} "
                                     f"while starting:\n{self.log_tail()}")
            return all(port_open(endpoint) for endpoint in endpoints)
        wait_for(f"node {self.name} to listen", ready, seconds)

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """SIGKILL, as a power cut would stop it (the operating system keeps what was written)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        code = self.process.wait(timeout=60)
        self._close()
        return code

    def stop(self, seconds=60):
        """SIGTERM and a clean stop; SIGKILL when it does not stop in time. Returns the exit
        status (negative: the signal that ended it)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=60)
        code = self.process.returncode
        self._close()
        return code

    def _close(self):
        self.process = None
        if self._log:
            self._log.close()
            self._log = None

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def read(self):
        """A read-only connection to the node's database."""
        return sqlite3.connect(f"file:{self.data / 'portscreen.db'}?mode=ro", uri=True,
                               timeout=30)

    def query(self, sql, *params):
        db = self.read()
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()


def _dealer(context, endpoint):
    dealer = context.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.connect(endpoint)
    return dealer


def _reply(frames):
    if len(frames) != 3:
        raise AssertionError(f"a reply has {len(frames)} frames, expected 3: {frames!r}")
    return frames[0].decode(), frames[1].decode(), json.loads(frames[2])


def exchange(context, endpoint, frames, timeout=30.0):
    """Sends one request on a fresh DEALER and returns (id, status, body), or None when no
    reply came within `timeout` seconds (the Lazy Pirate client then resends)."""
    dealer = _dealer(context, endpoint)
    try:
        dealer.send_multipart(frames)
        if not dealer.poll(int(timeout * 1000)):
            return None
        return _reply(dealer.recv_multipart())
    finally:
        dealer.close()


def send_manifest(context, endpoint, message_id, content_type, payload, timeout=30.0):
    """Returns (status, body): ACK with the stored summary, NACK with the problems; or None."""
    reply = exchange(context, endpoint,
                     [message_id.encode(), content_type.encode(), payload], timeout)
    return None if reply is None else reply[1:]


def send_scan(context, endpoint, header, images, timeout=60.0):
    """`header` a dict or JSON bytes, `images` the image frames. Returns (status, body) or None."""
    if isinstance(header, dict):
        header = json.dumps(header).encode()
    reply = exchange(context, endpoint, [header, *images], timeout)
    return None if reply is None else reply[1:]


class Window:
    """Keeps up to `size` requests in flight on one DEALER and collects the replies by id
    (the first reply frame echoes the message id or scan id). For load: many requests are in
    flight when a node dies."""

    def __init__(self, context, endpoint, size=8):
        self.dealer = _dealer(context, endpoint)
        self.size = size
        self.pending = set()
        self.replies = {}

    def send(self, request_id, frames, wait_ms=30_000):
        """Sends once the window has room; False when no room came within `wait_ms`."""
        deadline = time.monotonic() + wait_ms / 1000
        while len(self.pending) >= self.size:
            left = int((deadline - time.monotonic()) * 1000)
            if left <= 0:
                return False
            self.collect(min(left, 100))
        self.pending.add(request_id)
        self.dealer.send_multipart(frames)
        return True

    def collect(self, wait_ms):
        """Takes the replies that arrive within `wait_ms`; returns how many."""
        taken = 0
        while self.dealer.poll(wait_ms if taken == 0 else 0):
            request_id, status, body = _reply(self.dealer.recv_multipart())
            self.pending.discard(request_id)
            self.replies[request_id] = (status, body)
            taken += 1
        return taken

    def close(self):
        self.dealer.close()


def raw_image(width, height, rng):
    """A 16-bit little-endian raw image (the cheapest format to make): a smooth ramp with noise
    from `rng`, so two images are never alike."""
    row = bytearray()
    for x in range(width):
        row += (20000 + (x * 30000) // max(width - 1, 1)).to_bytes(2, "little")
    noise = rng.randbytes(width * height * 2)
    pixels = bytearray(row * height)
    for idx in range(1, len(pixels), 2):
        pixels[idx] = (pixels[idx] + (noise[idx] & 0x0F)) & 0xFF
    return bytes(pixels)


def scan_header(scan_id, containers, width, height, image_format="raw",
                scanned_at="2026-11-28T08:00:00Z", channels=("high", "low")):
    return {
        "scan_id": scan_id, "scanner_id": "TEST-GATE-1", "containers": list(containers),
        "scanned_at": scanned_at, "view": "side",
        "energies_mev": {"high": 6, "low": 4} if len(channels) == 2 else {"high": 6},
        "air_value": 60000, "pixel_spacing_mm": {"along_scan": 5.0, "detector": 5.0},
        "images": [{"channel": c, "format": image_format, "width": width, "height": height}
                   for c in channels],
    }


def json_manifest(document, containers, port_of_call="NLRTM", eta="2026-11-28T06:00:00Z",
                  discharge=None, imo="9472153", voyage=None):
    """One vessel call with one bill of lading per container, as a dict."""
    return {
        "format": "portscreen.manifest", "format_version": 1,
        "document_number": document, "issued_at": "2026-01-01T00:00:00Z", "sender": "TSTL",
        "vessel_call": {"imo": imo, "voyage": voyage or f"V{document[-6:]}",
                        "vessel_name": "TEST CARRIER", "port_of_call": port_of_call, "eta": eta},
        "containers": [{"number": n, "size_type": "42G1", "load": "full",
                        "gross_mass_kg": 18000, "tare_mass_kg": 3800} for n in containers],
        "consignments": [{
            "master_bl": f"{document}-{i}", "port_of_loading": "CNSHA",
            "port_of_discharge": discharge or port_of_call,
            "consignee": {"name": f"Harbour Supplies {i} NV", "country": "BE"},
            "goods_items": [{"item_number": 1, "hs_code": "940360", "description": "furniture",
                             "packages": 100, "gross_mass_kg": 14000,
                             "placements": [{"container_number": n}]}],
        } for i, n in enumerate(containers)],
    }
