"""Soak: a real port node under a steady load of manifests, scans and web clients.

Starts `portscreen serve` (ingest, scans and web server on free loopback ports, a database in a
temporary folder), makes one account per role with `portscreen user add`, and then holds, for
--seconds, three open-loop channels: manifests over the ZeroMQ ingest endpoint, scans over the
scan endpoint, and logged-in web users polling what they would look at. Every request is sent at
its scheduled time whatever happened to the ones before it, and its latency counts from that
time, so a node that stalls shows up as latency, not as a slower rate.

Meanwhile the node's memory (/proc/PID/status) and the size of its database are sampled. The run
fails on any error (NACK, HTTP status other than 200, timeout), when the database does not hold
exactly what was acknowledged, when the node does not stop cleanly, or when its memory grows
beyond what the data it holds explains (see `memory_verdict`).

The manifests are made here rather than by `portscreen sim day`, whose messages are whole vessel
calls of thousands of containers: a steady rate needs many small reports, each new (new calls,
bills of lading and containers), so that every one is stored and scored, none is a duplicate.
CTest runs a short soak (reliability_soak); `tools/soak` runs a long one on a Release build.

usage: soak.py PORTSCREEN_BINARY TEST_DATA_DIR [--seconds N] [--manifest-rate R]
               [--scan-interval S] [--web-rate R] [--json]
"""

import argparse
import array
import concurrent.futures
import datetime
import http.client
import json
import os
import pathlib
import random
import signal
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib

import zmq

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from node_process import container_number, free_port  # noqa: E402

PASSWORD = "soak test passphrase"
MIB = 1024 * 1024

# Web users and what each polls, in turn. Kinds are defined in WebLoad.request_for.
USERS = [
    ("officer1", "officer", ["queue", "container", "search", "arrivals", "queue_red"]),
    ("officer2", "officer", ["queue", "search", "container", "queue_page2"]),
    ("manager1", "manager", ["stats", "queue_scored", "container", "audit"]),
    ("operator1", "operator", ["worklist", "scan", "unmatched", "container"]),
]

# ASan keeps freed blocks in a quarantine (256 MiB by default) and records a stack for each
# allocation, so the RSS of a sanitizer build climbs for minutes with no leak at all. A small
# quarantine and short stacks keep use-after-free detection while letting RSS settle within the
# warm-up; a release build ignores the variable.
ASAN_SOAK_OPTIONS = ("quarantine_size_mb=16:thread_local_quarantine_size_kb=256:"
                     "malloc_context_size=5:allocator_release_to_os_interval_ms=1000")


def percentile(sorted_values, share):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(share * (len(sorted_values) - 1))))
    return sorted_values[index]


class Channel:
    """What one kind of request did: counts, errors by reason, latencies from schedule."""

    def __init__(self, name):
        self.name = name
        self.lock = threading.Lock()
        self.sent = 0
        self.ok = 0
        self.errors = {}
        self.latencies = []
        self.examples = []

    def sending(self):
        with self.lock:
            self.sent += 1

    def answered(self, scheduled, finished):
        with self.lock:
            self.ok += 1
            self.latencies.append(finished - scheduled)

    def failed(self, scheduled, finished, reason, detail=""):
        with self.lock:
            self.errors[reason] = self.errors.get(reason, 0) + 1
            self.latencies.append(finished - scheduled)
            if len(self.examples) < 3:
                self.examples.append(f"{reason}: {detail}"[:300])

    def summary(self, seconds):
        with self.lock:
            ordered = sorted(self.latencies)
            ms = [None if v is None else round(v * 1000, 1)
                  for v in (percentile(ordered, 0.50), percentile(ordered, 0.95),
                            percentile(ordered, 0.99), ordered[-1] if ordered else None)]
            return {"sent": self.sent, "ok": self.ok, "errors": sum(self.errors.values()),
                    "error_reasons": dict(self.errors), "examples": list(self.examples),
                    "throughput_per_s": round(self.ok / seconds, 2) if seconds else 0.0,
                    "latency_ms": dict(zip(["p50", "p95", "p99", "max"], ms))}



def imo_number(six_digits):
    digits = f"{six_digits:06d}"
    return digits + str(sum(int(d) * (7 - i) for i, d in enumerate(digits)) % 10)


class Traffic:
    """New manifests in the portscreen JSON format: every call, B/L and container is new.

    Vessel calls of the next few days receive cargo reports from several carriers, one to three
    bills of lading each, FCL and LCL, as a port's community system forwards them."""

    CARRIERS = ["MAEU", "MSCU", "CMDU", "HLCU", "EGLV", "ONEY", "COSU"]
    OWNERS = ["MSK", "MSC", "CMA", "HLX", "EGH", "ONE", "CSN", "TGH", "TCL", "SEG"]
    ROUTES = [("CNSHA", []), ("CNNGB", ["LKCMB"]), ("SGSIN", []), ("INNSA", ["OMSLL"]),
              ("AEJEA", []), ("CNSZX", ["SGSIN"]), ("LKCMB", [])]
    GOODS = [("940360", "wooden dining tables and chairs, flat packed", "PK"),
             ("851713", "smartphones in retail boxes", "CT"),
             ("610910", "cotton T-shirts, knitted", "CT"),
             ("401110", "new pneumatic tyres for cars", "PK"),
             ("732393", "stainless steel kitchen pots", "CT"),
             ("100630", "milled rice in 50 kg bags", "BG"),
             ("848180", "industrial valves, brass", "CT"),
             ("392310", "plastic storage boxes", "CT")]
    CONSIGNEES = [("Kilimani Home Interiors Ltd", "KE"), ("Mombasa Hardware Traders", "KE"),
                  ("Kampala General Imports", "UG"), ("Nairobi Textile House", "KE"),
                  ("Dar Coast Distributors", "TZ"), ("Rift Valley Agro Supplies", "KE")]
    SHIPPERS = [("Ningbo Homewares Co", "CN"), ("Shenzhen Bright Electronics", "CN"),
                ("Tiruppur Knit Exports", "IN"), ("Jebel Ali Trading FZE", "AE"),
                ("Colombo Rubber Products", "LK"), ("Singapore Industrial Supply", "SG")]

    def __init__(self, seed, run_tag):
        self.rng = random.Random(seed)
        self.run_tag = run_tag
        self.today = datetime.datetime.now(datetime.timezone.utc).date()
        self.days = [(self.today + datetime.timedelta(days=d)).isoformat() for d in range(3)]
        self.serials = {owner: self.rng.randrange(100000, 800000) for owner in self.OWNERS}
        self.count = 0
        self.call = None
        self.calls = 0

    def next_container(self):
        owner = self.rng.choice(self.OWNERS)
        self.serials[owner] += 1
        return container_number(owner, self.serials[owner])

    def new_call(self):
        self.calls += 1
        day = self.days[self.calls % len(self.days)]
        hour = self.rng.randrange(0, 24)
        self.call = {"imo": imo_number(self.rng.randrange(100000, 999999)),
                     "voyage": f"{self.calls:03d}{self.rng.choice('EWNS')}",
                     "vessel_name": f"MV SOAK {self.run_tag} {self.calls}",
                     "port_of_call": "KEMBA", "eta": f"{day}T{hour:02d}:00:00Z"}
        self.call_reports = 0

    def manifest(self):
        """(message id, frames, container numbers) of the next new manifest."""
        if self.call is None or self.call_reports >= 40:
            self.new_call()
        self.call_reports += 1
        self.count += 1
        carrier = self.rng.choice(self.CARRIERS)
        containers, consignments = [], []
        for b in range(self.rng.randint(1, 3)):
            loading, via = self.rng.choice(self.ROUTES)
            numbers = [self.next_container() for _ in range(self.rng.randint(1, 3))]
            items = []
            for n, number in enumerate(numbers):
                code, text, package = self.rng.choice(self.GOODS)
                packages = self.rng.randint(20, 900)
                mass = round(self.rng.uniform(3000, 26000), 1)
                containers.append({"number": number, "size_type": self.rng.choice(
                    ["22G1", "42G1", "45G1"]), "load": "full",
                    "gross_mass_kg": mass + 3800, "tare_mass_kg": 3800,
                    "seals": [{"number": f"SL{self.rng.randrange(10**7):07d}",
                               "sealing_party": "CA"}]})
                items.append({"item_number": n + 1, "hs_code": code, "description": text,
                              "packages": packages, "package_type": package,
                              "gross_mass_kg": mass,
                              "placements": [{"container_number": number}]})
            shipper = self.rng.choice(self.SHIPPERS)
            consignee = self.rng.choice(self.CONSIGNEES)
            consignment = {"master_bl": f"{carrier}{self.run_tag}{self.count:07d}{b}",
                           "shipper": {"name": shipper[0], "country": shipper[1]},
                           "consignee": {"name": consignee[0], "country": consignee[1]},
                           "port_of_loading": loading, "port_of_discharge": "KEMBA",
                           "goods_items": items}
            if via:
                consignment["transshipment_ports"] = via
            consignments.append(consignment)
        issued = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        document = {"format": "portscreen.manifest", "format_version": 1,
                    "document_number": f"{carrier}-{self.run_tag}-{self.count:07d}",
                    "issued_at": issued, "sender": carrier, "vessel_call": self.call,
                    "containers": containers, "consignments": consignments}
        message_id = f"soak-{self.run_tag}-{self.count:07d}".encode()
        frames = [message_id, b"application/json", json.dumps(document).encode()]
        return message_id, frames, [c["number"] for c in containers]


class Images:
    """Unique dual-energy scan images of modest size, as raw 16-bit or 16-bit PNG."""

    WIDTH, HEIGHT, AIR = 640, 160, 60000

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.base = {}
        for channel, mu in (("high", 0.9), ("low", 1.3)):
            pixels = array.array("H", [self.AIR] * (self.WIDTH * self.HEIGHT))
            wall = int(self.AIR * 2.718 ** (-mu * 0.4))
            for row in range(12, self.HEIGHT - 8):
                start = row * self.WIDTH
                pixels[start + 40:start + self.WIDTH - 40] = array.array(
                    "H", [wall] * (self.WIDTH - 80))
            self.base[channel] = (pixels, mu)

    def scan(self, number):
        """The two images of scan `number`, each different from every other scan's."""
        x0 = self.rng.randrange(60, self.WIDTH - 200)
        y0 = self.rng.randrange(20, self.HEIGHT - 70)
        width, height = self.rng.randrange(40, 140), self.rng.randrange(20, 60)
        thickness = self.rng.uniform(1.0, 3.0)
        out = {}
        for channel, (base, mu) in self.base.items():
            pixels = array.array("H", base)
            cargo = int(self.AIR * 2.718 ** (-mu * thickness))
            block = array.array("H", [cargo] * width)
            for row in range(y0, y0 + height):
                start = row * self.WIDTH + x0
                pixels[start:start + width] = block
            for i in range(64):  # noise, and the scan's number, make the bytes unique
                pixels[self.rng.randrange(len(pixels))] = self.rng.randrange(1000, self.AIR)
            pixels[0] = number & 0xFFFF
            pixels[1] = (number >> 16) & 0xFFFF
            out[channel] = pixels
        return out

    @classmethod
    def raw(cls, pixels):
        data = array.array("H", pixels)
        if sys.byteorder != "little":
            data.byteswap()
        return data.tobytes()

    @classmethod
    def png(cls, pixels):
        data = array.array("H", pixels)
        if sys.byteorder == "little":
            data.byteswap()
        flat = data.tobytes()
        stride = cls.WIDTH * 2
        rows = b"".join(b"\x00" + flat[r * stride:(r + 1) * stride] for r in range(cls.HEIGHT))

        def chunk(kind, body):
            return (struct.pack(">I", len(body)) + kind + body
                    + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

        header = struct.pack(">IIBBBBB", cls.WIDTH, cls.HEIGHT, 16, 0, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))


class Shared:
    """What the clients learn as they go: containers acknowledged, scans stored, ids seen."""

    def __init__(self):
        self.lock = threading.Lock()
        self.containers = []
        self.container_ids = []
        self.scan_ids = []
        self.acked_manifests = set()
        self.acked_scans = set()

    def remember(self, bucket, values, keep=2000):
        with self.lock:
            bucket.extend(values)
            del bucket[:-keep]

    def pick(self, bucket, rng):
        with self.lock:
            return rng.choice(bucket) if bucket else None


def zmq_channel(context, endpoint, channel, schedule, make, on_reply, timeout, drain):
    """Sends make()'s frames at each scheduled time on one DEALER and matches the replies.

    `schedule` yields scheduled times (monotonic seconds); `make` returns (key, frames, extra),
    frames possibly a function called at send time;
    `on_reply(key, status, body, extra)` returns None when the reply is good, or a reason."""
    dealer = context.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.setsockopt(zmq.SNDHWM, 100000)
    dealer.connect(endpoint)
    poller = zmq.Poller()
    poller.register(dealer, zmq.POLLIN)
    pending = {}
    upcoming = next(schedule, None)
    prepared = make() if upcoming is not None else None
    last_scheduled = time.monotonic()
    try:
        while True:
            now = time.monotonic()
            if upcoming is not None and now >= upcoming:
                key, frames, extra = prepared
                dealer.send_multipart(frames() if callable(frames) else frames)
                channel.sending()
                pending[key] = (upcoming, extra)
                last_scheduled = upcoming
                upcoming = next(schedule, None)
                prepared = make() if upcoming is not None else None
                continue
            for key, (scheduled, _) in list(pending.items()):
                if now - scheduled > timeout:
                    del pending[key]
                    channel.failed(scheduled, now, "timeout", key.decode(errors="replace"))
            if upcoming is None and (not pending or now > last_scheduled + drain):
                break
            wait = 0.2 if upcoming is None else min(0.2, max(0.0, upcoming - now))
            if not poller.poll(wait * 1000):
                continue
            while True:
                try:
                    frames = dealer.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                finished = time.monotonic()
                if len(frames) != 3:
                    channel.failed(finished, finished, "malformed reply", repr(frames)[:200])
                    continue
                entry = pending.pop(frames[0], None)
                if entry is None:
                    continue  # answered after its timeout, already counted
                scheduled, extra = entry
                try:
                    body = json.loads(frames[2])
                except ValueError:
                    body = frames[2]
                reason = on_reply(frames[0], frames[1].decode(errors="replace"), body, extra)
                if reason is None:
                    channel.answered(scheduled, finished)
                else:
                    detail = (body.decode(errors="replace") if isinstance(body, bytes)
                              else json.dumps(body))
                    channel.failed(scheduled, finished, reason, detail[:300])
        for key, (scheduled, _) in pending.items():
            channel.failed(scheduled, time.monotonic(), "timeout", key.decode(errors="replace"))
    finally:
        dealer.close()


def ticks(start, end, interval):
    """Scheduled times from start to end, `interval` apart (open loop)."""
    n = 0
    while start + n * interval < end:
        yield start + n * interval
        n += 1


class Client:
    """One browser: session cookie and CSRF token, a new connection per request."""

    def __init__(self, port, timeout):
        self.port = port
        self.timeout = timeout
        self.cookie = ""

    def get(self, path):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request("GET", path, headers={"Cookie": self.cookie})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def login(self, username):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request("POST", "/api/login",
                               body=json.dumps({"username": username, "password": PASSWORD}),
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"login of {username}: {response.status} {body[:200]}")
            self.cookie = response.getheader("Set-Cookie").split(";")[0]
        finally:
            connection.close()


class WebLoad:
    """Logged-in users polling their pages; requests go out on schedule from a pool."""

    def __init__(self, port, traffic, shared, channels, timeout, seed):
        self.port = port
        self.traffic = traffic
        self.shared = shared
        self.channels = channels
        self.timeout = timeout
        self.rng = random.Random(seed)
        self.rng_lock = threading.Lock()
        self.users = []
        for username, role, kinds in USERS:
            client = Client(port, timeout)
            client.login(username)
            self.users.append((client, role, kinds))

    def request_for(self, role, kind):
        """(channel name, path) of one request of `kind`."""
        with self.rng_lock:
            day = self.rng.choice(self.traffic.days)
            container_id = self.shared.pick(self.shared.container_ids, self.rng)
            scan_id = self.shared.pick(self.shared.scan_ids, self.rng)
            number = self.shared.pick(self.shared.containers, self.rng)
        if kind == "container" and container_id is None:
            kind = "worklist" if role == "operator" else "queue"
        if kind == "scan" and scan_id is None:
            kind = "unmatched"
        if kind == "search" and number is None:
            kind = "arrivals"
        if kind == "queue":
            return "web queue", f"/api/queue?day={day}&limit=100"
        if kind == "queue_red":
            return "web queue", f"/api/queue?day={day}&lane=red&limit=100"
        if kind == "queue_page2":
            return "web queue", f"/api/queue?day={day}&limit=100&offset=100"
        if kind == "queue_scored":
            return "web queue", f"/api/queue?day={day}&min_score=0.3&limit=200"
        if kind == "search":
            return "web search", f"/api/queue?day={day}&q={number[4:9]}&state=all"
        if kind == "arrivals":
            return "web arrivals", f"/api/arrivals?day={day}"
        if kind == "container":
            return "web container", f"/api/containers/{container_id}"
        if kind == "stats":
            month_ago = (self.traffic.today - datetime.timedelta(days=30)).isoformat()
            return "web stats", f"/api/stats?from={month_ago}&to={self.traffic.days[-1]}"
        if kind == "audit":
            return "web audit", "/api/audit?limit=100"
        if kind == "worklist":
            return "web worklist", "/api/worklist"
        if kind == "unmatched":
            return "web worklist", "/api/scans/unmatched"
        if kind == "scan":
            return "web scan", f"/api/scans/{scan_id}"
        raise ValueError(kind)

    def one(self, client, role, kind, scheduled):
        name, path = self.request_for(role, kind)
        channel = self.channels.setdefault(name, Channel(name))
        channel.sending()
        try:
            status, body = client.get(path)
        except (OSError, http.client.HTTPException) as error:
            channel.failed(scheduled, time.monotonic(), "no answer", f"{path}: {error}")
            return
        finished = time.monotonic()
        if status != 200:
            channel.failed(scheduled, finished, f"HTTP {status}", f"{path}: {body[:200]}")
            return
        channel.answered(scheduled, finished)
        if name in ("web queue", "web search"):
            rows = json.loads(body).get("rows", [])
            self.shared.remember(self.shared.container_ids, [r["container_id"] for r in rows])

    def run(self, start, end, rate):
        """Each user polls at rate / len(users) per second, users evenly out of phase."""
        interval = len(self.users) / rate
        plan = []
        for u, (_, _, kinds) in enumerate(self.users):
            offset = interval * u / len(self.users)
            for n, at in enumerate(ticks(start + offset, end, interval)):
                plan.append((at, u, kinds[n % len(kinds)]))
        plan.sort()
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            for at, u, kind in plan:
                delay = at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                client, role, _ = self.users[u]
                pool.submit(self.one, client, role, kind, at)


def read_status(pid):
    """VmRSS, RssAnon and RssFile of the process in bytes."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                values[key] = int(rest.split()[0]) * 1024
    return values


def folder_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def sample_memory(pid, data, start, end, interval, samples, counts):
    next_at = start
    while time.monotonic() < end:
        try:
            memory = read_status(pid)
        except OSError:
            return  # the node is gone; the run reports it
        database = sum(os.path.getsize(data / name) for name in
                       ("portscreen.db", "portscreen.db-wal") if (data / name).exists())
        samples.append({"t": round(time.monotonic() - start, 1),
                        "vm_rss": memory.get("VmRSS", 0), "rss_anon": memory.get("RssAnon", 0),
                        "rss_file": memory.get("RssFile", 0), "database": database,
                        "images": folder_bytes(data / "images"), **counts()})
        next_at += interval
        time.sleep(max(0.0, min(next_at, end) - time.monotonic()))


# Growth the node may show in the last third over the middle third that no data explains:
# allocator fragmentation, thread caches, buffers that reach their working size late.
SLACK_BYTES = 6 * MIB
SLACK_SHARE = 0.05
# SQLite's page caches fill with the pages of the growing database until they reach their caps
# (128 MiB for each of the three writers: ingest, scans, scoring; 16 MiB for each web reader),
# and glibc keeps freed memory in its per-thread arenas, interleaved with those caches. Measured
# without a leak (heaptrack found none; LeakSanitizer neither), anonymous memory grew by 1.1 to
# 2.2 times what the database grew by over 1 to 10 minutes at the default rates; four times is
# allowed. Once the caches reach their caps, the growth this allows is more than the node needs.
PAGE_CACHE_FACTOR = 4


def memory_verdict(samples, seconds):
    """Compares anonymous RSS over the last third of the run with the middle third.

    The first third is warm-up (caches, the allocator's arenas, the quarantine of a sanitizer
    build). File-backed pages (the binary, the writer's mmap of the database) are excluded: they
    are bounded by the files and the kernel reclaims them; a leak is anonymous memory. Medians
    make the check robust to a single spike. Allowed growth: SLACK (a fixed amount or a share of
    the middle third, whichever is larger) plus PAGE_CACHE_FACTOR times the database's growth
    between the two windows. A leak of L bytes per second adds about L * seconds / 3."""
    middle = [s for s in samples if seconds / 3 <= s["t"] < 2 * seconds / 3]
    last = [s for s in samples if s["t"] >= 2 * seconds / 3]
    if len(middle) < 3 or len(last) < 3:
        return {"ok": False, "reason": "too few memory samples for a verdict"}
    anon_middle = statistics.median(s["rss_anon"] for s in middle)
    anon_last = statistics.median(s["rss_anon"] for s in last)
    db_growth = max(0, statistics.median(s["database"] for s in last)
                    - statistics.median(s["database"] for s in middle))
    growth = anon_last - anon_middle
    allowed = max(SLACK_BYTES, SLACK_SHARE * anon_middle) + PAGE_CACHE_FACTOR * db_growth
    after = [s for s in samples if s["t"] >= seconds / 3]
    slope = 0.0
    if len(after) >= 2:
        mean_t = statistics.fmean(s["t"] for s in after)
        mean_m = statistics.fmean(s["rss_anon"] for s in after)
        spread = sum((s["t"] - mean_t) ** 2 for s in after)
        if spread:
            slope = sum((s["t"] - mean_t) * (s["rss_anon"] - mean_m) for s in after) / spread
    return {"ok": growth <= allowed, "anon_middle_mib": round(anon_middle / MIB, 1),
            "anon_last_mib": round(anon_last / MIB, 1), "growth_mib": round(growth / MIB, 1),
            "allowed_mib": round(allowed / MIB, 1),
            "database_growth_mib": round(db_growth / MIB, 1),
            "slope_after_warmup_mib_per_min": round(slope * 60 / MIB, 2),
            "reason": ("anonymous memory grew {:.1f} MiB from the middle to the last third, "
                       "{} the {:.1f} MiB the data explains").format(
                           growth / MIB, "within" if growth <= allowed else "beyond",
                           allowed / MIB)}


def start_node(binary, workdir):
    data = workdir / "node"
    ingest = f"tcp://127.0.0.1:{free_port()}"
    scans = f"tcp://127.0.0.1:{free_port()}"
    port = free_port()
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""),
                                                 ASAN_SOAK_OPTIONS]))
    log = open(workdir / "node.log", "w+")
    node = subprocess.Popen([binary, "serve", "--data", str(data), "--ingest", ingest,
                             "--scans", scans, "--http", f"127.0.0.1:{port}"],
                            stderr=log, env=env)
    deadline = time.monotonic() + 60
    while True:
        if node.poll() is not None:
            raise RuntimeError(f"the node exited with {node.returncode} at start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("the node's web server did not open within 60 s")
            time.sleep(0.1)
    for username, role, _ in USERS:
        added = subprocess.run(
            [binary, "user", "add", "--data", str(data), "--username", username, "--role", role,
             "--name", f"Soak {role}"], env={**env, "PORTSCREEN_PASSWORD": PASSWORD},
            capture_output=True, text=True, timeout=120)
        if added.returncode != 0:
            raise RuntimeError(f"user add {username}: {added.stderr}")
    return node, log, data, ingest, scans, port


def stop_node(node):
    """SIGTERM, and the exit status (a sanitizer build reports leaks at exit)."""
    if node.poll() is None:
        node.send_signal(signal.SIGTERM)
        try:
            node.wait(timeout=120)
        except subprocess.TimeoutExpired:
            node.kill()
            node.wait()
            return "did not stop within 120 s of SIGTERM"
    return node.returncode


def run(args):
    run_tag = uuid.uuid4().hex[:6].upper()
    workdir_handle = tempfile.TemporaryDirectory(prefix="portscreen-soak-")
    workdir = pathlib.Path(workdir_handle.name)
    node = None
    log = None
    try:
        node, log, data, ingest, scan_endpoint, port = start_node(args.binary, workdir)
        traffic = Traffic(args.seed, run_tag)
        images = Images(args.seed)
        shared = Shared()
        channels = {"manifests": Channel("manifests"), "scans": Channel("scans")}
        web = WebLoad(port, traffic, shared, channels, args.timeout, args.seed)
        context = zmq.Context()

        def on_manifest(key, status, body, numbers):
            if status != "ACK":
                return "NACK " + (body[0].get("code", "?") if isinstance(body, list) and body
                                  else "?")
            shared.acked_manifests.add(key)
            shared.remember(shared.containers, numbers)
            return None

        scan_count = [0]
        scan_rng = random.Random(args.seed + 1)
        scanned_on = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")

        def make_scan():
            scan_count[0] += 1
            n = scan_count[0]
            pictures = images.scan(n)
            encode, fmt = (Images.raw, "raw") if n % 2 else (Images.png, "png")
            images_of_scan = [encode(pictures["high"]), encode(pictures["low"])]
            scan_id = f"SOAK-{run_tag}-{n:06d}"

            def frames_now():  # the container is chosen at send time, among those acknowledged
                number = shared.pick(shared.containers, scan_rng) or container_number("ZZZ", n)
                header = {
                    "scan_id": scan_id, "scanner_id": "KEMBA-GATE-1", "containers": [number],
                    "scanned_at": f"{scanned_on}T08:00:00Z", "view": "side",
                    "energies_mev": {"high": 6, "low": 4}, "air_value": Images.AIR,
                    "pixel_spacing_mm": {"along_scan": 5.0, "detector": 5.0},
                    "images": [{"channel": c, "format": fmt, "width": Images.WIDTH,
                                "height": Images.HEIGHT} for c in ("high", "low")]}
                return [json.dumps(header).encode(), *images_of_scan]

            return scan_id.encode(), frames_now, None

        def on_scan(key, status, body, _):
            if status != "ACK":
                return "NACK " + (body[0].get("code", "?") if isinstance(body, list) and body
                                  else "?")
            shared.acked_scans.add(key)
            shared.remember(shared.scan_ids, [key.decode()])
            return None

        samples = []
        start = time.monotonic() + 0.5
        end = start + args.seconds
        sampler = threading.Thread(target=sample_memory, args=(
            node.pid, data, start, end, args.sample_interval, samples,
            lambda: {"manifests": channels["manifests"].ok, "scans": channels["scans"].ok}))
        workers = [
            threading.Thread(target=zmq_channel, args=(
                context, ingest, channels["manifests"], ticks(start, end, 1 / args.manifest_rate),
                traffic.manifest, on_manifest, args.timeout, args.timeout)),
            threading.Thread(target=zmq_channel, args=(
                context, scan_endpoint, channels["scans"], ticks(start, end, args.scan_interval),
                make_scan, on_scan, args.timeout, args.timeout)),
            threading.Thread(target=web.run, args=(start, end, args.web_rate)),
        ]
        crashed = []

        def guarded(target):
            def body(*a):
                try:
                    target(*a)
                except Exception as error:  # reported as a failure of the run
                    crashed.append(f"{target.__name__}: {error!r}")
                    raise
            return body

        for thread in workers:
            thread._target = guarded(thread._target)
        for thread in [sampler, *workers]:
            thread.start()
        for thread in [sampler, *workers]:
            thread.join()
        context.term()
        alive = node.poll() is None

        # Everything acknowledged is in the database, and nothing else the soak sent.
        with sqlite3.connect(f"file:{data / 'portscreen.db'}?mode=ro", uri=True,
                             timeout=30) as db:
            stored_manifests = db.execute(
                "SELECT count(*) FROM messages WHERE message_id LIKE ?",
                (f"soak-{run_tag}-%",)).fetchone()[0]
            stored_scans = db.execute("SELECT count(*) FROM scans WHERE scan_id LIKE ?",
                                      (f"SOAK-{run_tag}-%",)).fetchone()[0]
            containers = db.execute("SELECT count(*) FROM containers").fetchone()[0]
            scored = db.execute("SELECT count(DISTINCT container_id) FROM scores").fetchone()[0]
        exit_status = stop_node(node)
        node = None
        report = {
            "seconds": args.seconds,
            "rates": {"manifests_per_s": args.manifest_rate, "scan_interval_s": args.scan_interval,
                      "web_requests_per_s": args.web_rate, "web_users": len(USERS)},
            "channels": {name: channel.summary(args.seconds)
                         for name, channel in sorted(channels.items(),
                                                     key=lambda c: (c[0].startswith("web"),
                                                                    c[0]))},
            "stored": {"manifests": stored_manifests,
                       "manifests_acknowledged": len(shared.acked_manifests),
                       "scans": stored_scans, "scans_acknowledged": len(shared.acked_scans),
                       "containers": containers, "containers_scored": scored},
            "memory": [{**s, "vm_rss_mib": round(s["vm_rss"] / MIB, 1),
                        "rss_anon_mib": round(s["rss_anon"] / MIB, 1),
                        "database_mib": round(s["database"] / MIB, 1),
                        "images_mib": round(s["images"] / MIB, 1)} for s in samples],
            "memory_verdict": memory_verdict(samples, args.seconds),
            "node_alive_at_end": alive,
            "node_exit_status": exit_status,
            "client_crashes": crashed,
        }
        web_all = Channel("web")
        for name, channel in channels.items():
            if name.startswith("web"):
                web_all.sent += channel.sent
                web_all.ok += channel.ok
                web_all.latencies += channel.latencies
                for reason, count in channel.errors.items():
                    web_all.errors[reason] = web_all.errors.get(reason, 0) + count
        report["channels"]["web (all)"] = web_all.summary(args.seconds)
        report["failures"] = failures(report)
        report["ok"] = not report["failures"]
        if not report["ok"]:
            log.seek(0)
            report["node_log_tail"] = log.read()[-3000:]
        return report
    finally:
        if node is not None:
            stop_node(node)
        if log is not None:
            log.close()
        workdir_handle.cleanup()


def failures(report):
    out = []
    for name, channel in report["channels"].items():
        if channel["sent"] == 0 or channel["ok"] == 0:
            out.append(f"{name}: nothing was sent or nothing succeeded")
        if channel["errors"]:
            out.append(f"{name}: {channel['errors']} errors {channel['error_reasons']} "
                       f"e.g. {channel['examples'][:1]}")
    out += [f"client thread failed: {crash}" for crash in report["client_crashes"]]
    stored = report["stored"]
    if stored["manifests"] != stored["manifests_acknowledged"]:
        out.append(f"{stored['manifests_acknowledged']} manifests acknowledged but "
                   f"{stored['manifests']} stored")
    if stored["scans"] != stored["scans_acknowledged"]:
        out.append(f"{stored['scans_acknowledged']} scans acknowledged but "
                   f"{stored['scans']} stored")
    if not report["node_alive_at_end"]:
        out.append("the node died during the run")
    if report["node_exit_status"] != 0:
        out.append(f"the node's exit status on SIGTERM: {report['node_exit_status']}")
    if not report["memory_verdict"]["ok"]:
        out.append("memory: " + report["memory_verdict"]["reason"])
    return out


def print_report(report, out):
    p = lambda *a: print(*a, file=out)  # noqa: E731
    rates = report["rates"]
    p(f"soak: {report['seconds']} s, {rates['manifests_per_s']} manifests/s, a scan every "
      f"{rates['scan_interval_s']} s, {rates['web_requests_per_s']} web requests/s from "
      f"{rates['web_users']} users (open loop; latency from the scheduled time)")
    p(f"{'channel':<15}{'sent':>8}{'ok':>8}{'errors':>7}{'per s':>8}"
      f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, c in report["channels"].items():
        lat = c["latency_ms"]
        cells = "".join(f"{'-' if lat[k] is None else lat[k]:>9}"
                        for k in ("p50", "p95", "p99", "max"))
        p(f"{name:<15}{c['sent']:>8}{c['ok']:>8}{c['errors']:>7}{c['throughput_per_s']:>8}{cells}")
    s = report["stored"]
    p(f"stored: {s['manifests']} manifests ({s['manifests_acknowledged']} acknowledged), "
      f"{s['scans']} scans ({s['scans_acknowledged']} acknowledged), {s['containers']} "
      f"containers, {s['containers_scored']} scored")
    p(f"{'t s':>7}{'VmRSS MiB':>11}{'anon MiB':>10}{'db MiB':>8}{'images MiB':>12}"
      f"{'manifests':>11}{'scans':>7}")
    memory = report["memory"]
    step = max(1, len(memory) // 20)
    shown = memory[::step] + ([memory[-1]] if memory and (len(memory) - 1) % step else [])
    for m in shown:
        p(f"{m['t']:>7}{m['vm_rss_mib']:>11}{m['rss_anon_mib']:>10}{m['database_mib']:>8}"
          f"{m['images_mib']:>12}{m['manifests']:>11}{m['scans']:>7}")
    v = report["memory_verdict"]
    p(f"memory: {'OK' if v['ok'] else 'FAIL'}, {v['reason']}"
      + (f"; slope after warm-up {v['slope_after_warmup_mib_per_min']} MiB/min"
         if "slope_after_warmup_mib_per_min" in v else ""))
    p(f"node exit status on SIGTERM: {report['node_exit_status']}")
    if report["ok"]:
        p("soak: PASS")
    else:
        p("soak: FAIL")
        for failure in report["failures"]:
            p("  " + failure)
        if "node_log_tail" in report:
            p("node log (end):\n" + report["node_log_tail"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("test_data", help="tests/data (unused: the soak makes its own traffic)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--manifest-rate", type=float, default=20, help="manifests per second")
    parser.add_argument("--scan-interval", type=float, default=2.0, help="seconds between scans")
    parser.add_argument("--web-rate", type=float, default=4,
                        help="web requests per second, all users together")
    parser.add_argument("--sample-interval", type=float, default=None,
                        help="seconds between memory samples (default: 2, or seconds/150)")
    parser.add_argument("--timeout", type=float, default=30,
                        help="seconds before an unanswered request counts as an error")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true",
                        help="print the report to stderr and one JSON object to stdout")
    args = parser.parse_args()
    if min(args.seconds, args.manifest_rate, args.scan_interval, args.web_rate) <= 0:
        parser.error("durations and rates must be positive")
    if args.sample_interval is None:
        args.sample_interval = max(2.0, args.seconds / 150)
    report = run(args)
    print_report(report, sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(report))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
