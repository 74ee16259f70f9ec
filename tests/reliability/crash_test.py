"""Crash safety: kills a real node with SIGKILL, again and again, in the middle of heavy ingest,
and checks after every kill that what it acknowledged is stored whole and nothing is half there.

Load while the node under test runs: JSON manifests and CUSCAR interchanges (made from the
fixture) with new container numbers over the ingest endpoint, dual-energy raw scans with unique
images over the scan endpoint, and sharing with a second node (the peer) that keeps running, linked over CURVE both ways: watchlist entries and outcomes recorded at each
end, and the alerts the node under test raises for the containers it scores.

After every kill, on the data folder as the node left it: `PRAGMA integrity_check` is ok; every
ACKed manifest is stored with all its containers and bills of lading; every ACKed scan with its
metadata and image rows; a message or scan that was not ACKed is absent or whole; every image
file matches its SHA-256 name and every image row has its file; `portscreen audit verify`
passes. At the end, everything never ACKed is sent again (same ids) and must be ACKed; the
outboxes of both nodes drain, each sharing message arrives exactly once (inbox ids and link
numbers unique, as many as the sender queued), and every entry and outcome recorded at one end
is at the other.

usage: crash_test.py PORTSCREEN_BINARY TEST_DATA_DIR [--cycles N] [--seed S]
"""

import argparse
import hashlib
import json
import os
import pathlib
import random
import signal
import subprocess
import sqlite3
import sys
import tempfile
import threading
import time

import zmq

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from node_process import (NodeProcess, Window, container_number, json_manifest,  # noqa: E402
                          raw_image, scan_header, wait_for)

SCAN_WIDTH, SCAN_HEIGHT = 192, 64
DAY = "2026-11-27"
EVERYTHING = ["alert", "outcome", "watchlist", "query", "answer"]


class Failure(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class Traffic:
    """What was sent to the node under test and what it answered, for the checks."""

    def __init__(self, rng, cuscar_template):
        self.rng = rng
        self.lock = threading.Lock()
        self.messages = {}       # message id -> (content type, payload, containers or None)
        self.message_order = []
        self.acked = {}          # message id -> ACK body
        self.scans = {}          # scan id -> (header bytes, [image bytes])
        self.scan_order = []
        self.scans_acked = {}    # scan id -> ACK body
        self.nacks = []
        self.cuscar = cuscar_template.decode("latin-1")
        self.serial = 0
        self.scan_serial = 0
        self.containers_acked = []
        self.containers_of_day = []  # of the JSON manifests, whose vessels arrive on DAY

    def new_message(self):
        """A new manifest with containers never seen before: every third a CUSCAR interchange
        made from the fixture (two containers), else a JSON manifest of 3 to 6 containers."""
        with self.lock:
            cuscar = self.rng.random() < 1 / 3
            numbers = []
            for _ in range(2 if cuscar else self.rng.randint(3, 6)):
                self.serial += 1
                numbers.append(container_number("CRX", self.serial))
            message_id = f"crash-{self.serial:06d}-{self.rng.randrange(1 << 30):08x}"
            if cuscar:
                entry = ("application/edifact", self.interchange(numbers), numbers)
            else:
                # One in four bound for the peer's port: the alerts raised for them go to the
                # peer, a steady stream but not a flood.
                document = json_manifest(f"CRX{self.serial:06d}", numbers,
                                         eta=f"{DAY}T06:00:00Z",
                                         discharge="BEANR" if self.serial % 4 == 0 else "NLRTM")
                entry = ("application/json", json.dumps(document).encode(), numbers)
            self.messages[message_id] = entry
            self.message_order.append(message_id)
            return message_id, entry

    def interchange(self, numbers):
        """The fixture's interchange with new container numbers, control reference, document
        number and voyage (a vessel call of its own)."""
        tag = f"{self.serial:06d}"
        text = self.cuscar
        for old, new in (("CSQU3054383", numbers[0]), ("ABCU1234560", numbers[1]),
                         ("ICR0001", f"ICR{tag}"), ("MFT2024-0001", f"MFT{tag}"),
                         ("CRXSHA000", f"CRX{tag}-"), ("024W", f"{tag[-4:]}W")):
            check(old in text, f"the CUSCAR fixture no longer holds {old}")
            text = text.replace(old, new)
        return text.encode("latin-1")

    def new_scan(self):
        with self.lock:
            self.scan_serial += 1
            scan_id = f"CRASH-{self.scan_serial:06d}"
            pool = self.containers_acked
            box = (self.rng.choice(pool) if pool and self.rng.random() < 0.9
                   else container_number("UNK", self.scan_serial))
            images = [raw_image(SCAN_WIDTH, SCAN_HEIGHT, self.rng) for _ in range(2)]
            header = json.dumps(scan_header(scan_id, [box], SCAN_WIDTH, SCAN_HEIGHT,
                                            scanned_at=f"{DAY}T09:00:00Z")).encode()
            self.scans[scan_id] = (header, images)
            self.scan_order.append(scan_id)
            return scan_id, header, images

    def answered_manifest(self, message_id, status, body):
        with self.lock:
            if status == "ACK":
                self.acked[message_id] = body
                for manifest in body["manifests"]:
                    self.containers_acked.extend(manifest["containers"][:3])
                    if self.messages[message_id][0] == "application/json":
                        self.containers_of_day.extend(manifest["containers"][:1])
            else:
                self.nacks.append((message_id, body))

    def answered_scan(self, scan_id, status, body):
        with self.lock:
            if status == "ACK":
                self.scans_acked[scan_id] = body
            else:
                self.nacks.append((scan_id, body))

    def unacked_messages(self):
        with self.lock:
            return [m for m in self.message_order if m not in self.acked]

    def unacked_scans(self):
        with self.lock:
            return [s for s in self.scan_order if s not in self.scans_acked]


def take_replies(window, record):
    window.collect(0)
    for request_id, (status, body) in window.replies.items():
        record(request_id, status, body)
    window.replies.clear()


def keep_in_flight(window, stop, resend, stored, new, answered):
    """Keeps the window full until `stop`: first what was never ACKed (`stored(id)` gives its
    frames), then new messages (`new()` gives an id and frames)."""
    try:
        backlog = list(resend)
        while not stop.is_set():
            if backlog:
                key = backlog.pop(0)
                frames = stored(key)
            else:
                key, frames = new()
            while not stop.is_set() and not window.send(key, frames, wait_ms=100):
                pass
            take_replies(window, answered)
    finally:
        # Replies the node sent before it died count: they are ACKs like any other.
        take_replies(window, answered)
        window.close()


def load_manifests(context, node, traffic, stop, resend):
    """Keeps up to 8 manifests in flight until `stop`; first resends what was never ACKed."""
    def frames(message_id, content_type, payload):
        return [message_id.encode(), content_type.encode(), payload]

    def stored(message_id):
        content_type, payload, _ = traffic.messages[message_id]
        return frames(message_id, content_type, payload)

    def new():
        message_id, (content_type, payload, _) = traffic.new_message()
        return message_id, frames(message_id, content_type, payload)

    keep_in_flight(Window(context, node.ingest, size=8), stop, resend, stored, new,
                   traffic.answered_manifest)


def load_scans(context, node, traffic, stop, resend):
    """Keeps up to 4 scans in flight until `stop`; first resends what was never ACKed."""
    def stored(scan_id):
        header, images = traffic.scans[scan_id]
        return [header, *images]

    def new():
        scan_id, header, images = traffic.new_scan()
        return scan_id, [header, *images]

    keep_in_flight(Window(context, node.scans, size=4), stop, resend, stored, new,
                   traffic.answered_scan)


class Sharing:
    """Events recorded at both ends through the command line while the node under test runs,
    and what each end must end up holding from the other."""

    def __init__(self, node, peer, peer_containers):
        self.node = node
        self.peer = peer
        self.peer_containers = list(peer_containers)
        self.watch = {node.name: [], peer.name: []}      # container numbers listed at each end
        self.outcomes = {node.name: [], peer.name: []}   # containers with an outcome recorded
        self.alerts = []                                 # containers the peer alerted
        self.errors = []

    def record(self, cycle, traffic):
        """One event at each end: a watchlist entry or an outcome in turn; at the peer every
        third an officer's alert (the node's alerts come from its scores)."""
        for at, pool in ((self.node, None), (self.peer, self.peer_containers)):
            try:
                if at is self.peer and cycle % 3 == 0:
                    number = self.peer_containers[-1 - len(self.alerts)]
                    at.cli("share", "alert", "--data", at.data, "--container", number,
                           "--reason", "crash test")
                    self.alerts.append(number)
                elif cycle % 2 == 0:
                    number = container_number("WLT" if at is self.node else "WLP", cycle)
                    listing = at.data.parent / f"{at.name}-watch-{cycle}.csv"
                    listing.write_text("id,kind,value,reason,source\n"
                                       f"w{cycle},container,{number},test,crash test\n")
                    at.cli("watchlist", "import", listing, "--data", at.data)
                    self.watch[at.name].append(number)
                else:
                    with traffic.lock:
                        done = set(self.outcomes[at.name])
                        candidates = pool if pool is not None else traffic.containers_of_day
                        choices = [c for c in candidates if c not in done]
                    if not choices:
                        continue
                    number = choices[0]
                    at.cli("outcomes", "record", number, "--data", at.data, "--day", DAY,
                           "--result", "no_find", "--method", "scan")
                    self.outcomes[at.name].append(number)
            except AssertionError as e:
                self.errors.append(str(e))


class ImageFiles:
    """Hashes each image file once (they are written once and never change)."""

    def __init__(self, root):
        self.root = root
        self.verified = {}

    def check(self, full=False):
        if full:
            self.verified.clear()
        names = set()
        for folder in sorted(self.root.glob("??")):
            for file in folder.iterdir():
                names.add(file.name)
                size = file.stat().st_size
                if self.verified.get(file.name) == size:
                    continue
                digest = hashlib.sha256(file.read_bytes()).hexdigest()
                check(digest == file.name and folder.name == file.name[:2],
                      f"image file {file} does not match its name (sha256 {digest})")
                self.verified[file.name] = size
        temporary = list((self.root / "tmp").glob("*")) if (self.root / "tmp").exists() else []
        return names, temporary


def verify_store(node, traffic, files, full=False, audit=True):
    """Every check on the node's data folder; returns a few counts. Reads the database as the
    node left it (an ordinary connection recovers the WAL, as the node does on start)."""
    db = sqlite3.connect(str(node.data / "portscreen.db"), timeout=30)
    try:
        (result,) = db.execute("PRAGMA integrity_check").fetchone()
        check(result == "ok", f"integrity_check: {result}")
        stored = {}
        for message_id, reply in db.execute("SELECT message_id, reply_body FROM messages"):
            stored[message_id] = json.loads(reply)
        numbers = {}
        for message_id, number in db.execute(
                "SELECT m.message_id, c.number FROM containers c "
                "JOIN messages m ON m.id = c.message_row"):
            numbers.setdefault(message_id, set()).add(number)
        every_container = {n for (n,) in db.execute("SELECT DISTINCT number FROM containers")}
        every_bl = {b for (b,) in db.execute("SELECT DISTINCT master_bl FROM consignments")}
        with traffic.lock:
            messages = dict(traffic.messages)
            acked = dict(traffic.acked)
            scans = dict(traffic.scans)
            scans_acked = dict(traffic.scans_acked)
        for message_id, (_, _, expected) in messages.items():
            if message_id in acked:
                check(message_id in stored, f"ACKed message {message_id} is not stored")
            if message_id not in stored:
                continue
            body = stored[message_id]
            if message_id in acked:
                check(acked[message_id]["content_sha256"] == body["content_sha256"],
                      f"message {message_id}: stored ACK differs from the one sent")
            listed = {n for m in body["manifests"] for n in m["containers"]}
            bls = {c["master_bl"] for m in body["manifests"] for c in m["consignments"]}
            check(listed <= every_container, f"message {message_id}: containers "
                  f"{sorted(listed - every_container)[:5]} missing")
            check(bls <= every_bl, f"message {message_id}: bills of lading "
                  f"{sorted(bls - every_bl)[:5]} missing")
            if expected is not None:
                check(listed == set(expected) == numbers.get(message_id, set()),
                      f"message {message_id}: containers stored "
                      f"{sorted(numbers.get(message_id, set()))}, expected {sorted(expected)}")
        rows = {}
        for scan_id, channel, sha256, size, links in db.execute(
                "SELECT s.scan_id, i.channel, i.sha256, i.bytes, "
                "(SELECT count(*) FROM scan_containers c WHERE c.scan_row = s.id) "
                "FROM scans s LEFT JOIN scan_images i ON i.scan_row = s.id"):
            rows.setdefault(scan_id, {"links": links, "images": {}})
            if channel is not None:
                rows[scan_id]["images"][channel] = (sha256, size)
        referenced = {sha for (sha,) in db.execute("SELECT DISTINCT sha256 FROM scan_images")}
        (unanalysed,) = db.execute("SELECT count(*) FROM scans s WHERE NOT EXISTS "
                                   "(SELECT 1 FROM scan_analyses a WHERE a.scan_row = s.id)"
                                   ).fetchone()
    finally:
        db.close()
    names, temporary = files.check(full)
    missing = referenced - names
    check(not missing, f"image rows name missing files: {sorted(missing)[:3]}")
    for scan_id, (header, images) in scans.items():
        if scan_id in scans_acked:
            check(scan_id in rows, f"ACKed scan {scan_id} is not stored")
            acked_images = {i["channel"]: i["sha256"] for i in scans_acked[scan_id]["images"]}
            check(acked_images == {"high": hashlib.sha256(images[0]).hexdigest(),
                                   "low": hashlib.sha256(images[1]).hexdigest()},
                  f"scan {scan_id}: the ACK names other images")
        if scan_id not in rows:
            continue
        row = rows[scan_id]
        expected = {"high": (hashlib.sha256(images[0]).hexdigest(), len(images[0])),
                    "low": (hashlib.sha256(images[1]).hexdigest(), len(images[1]))}
        check(row["images"] == expected, f"scan {scan_id} is stored incomplete: {row}")
        check(row["links"] == 1, f"scan {scan_id}: {row['links']} container rows, expected 1")
    known = {hashlib.sha256(image).hexdigest() for _, images in scans.values()
             for image in images}
    orphans = names - referenced
    strangers = orphans - known
    check(not strangers, f"image files nobody sent: {sorted(strangers)[:3]}")
    if audit:
        finish_audit(start_audit(node))
    return {"messages": len(stored), "scans": len(rows), "images": len(names),
            "orphans": len(orphans), "temporary": len(temporary), "unanalysed": unanalysed}


def start_audit(node):
    """`portscreen audit verify` on the data folder as it is now, in the background."""
    return subprocess.Popen([node.binary, "audit", "verify", "--data", str(node.data)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish_audit(process):
    output, _ = process.communicate(timeout=300)
    check(process.returncode == 0 and "intact" in output, f"audit verify: {output}")


def configure(node, peer, node_ports, threshold):
    entry = dict(peer.public, ports=peer.ports, send=EVERYTHING, personal_data=False,
                 hub=False, endpoint=peer.share)
    node.configure({"share": {"ports": node_ports, "alert_threshold": threshold,
                              "hub": False, "peers": [entry]}})


def wait_drained(node, peer, quiet=3.0, seconds=600):
    """Waits until both outboxes and event queues are empty and nothing has moved for `quiet`
    seconds (scoring may still raise alerts; a message sent twice would land meanwhile)."""
    def state():
        return tuple(who.query(sql)[0][0] for who in (node, peer) for sql in (
            "SELECT count(*) FROM share_outbox", "SELECT count(*) FROM share_events",
            "SELECT count(*) FROM share_inbox",
            "SELECT coalesce(sum(next_link_seq), 0) FROM share_links",
            "SELECT count(*) FROM scores"))
    deadline = time.monotonic() + seconds
    last, since = None, time.monotonic()
    while True:
        now = state()
        if now != last:
            last, since = now, time.monotonic()
        elif now[0] == now[1] == now[5] == now[6] == 0 and time.monotonic() - since >= quiet:
            return
        check(time.monotonic() < deadline, f"sharing did not drain: {now}")
        time.sleep(0.2)


def sharing_checks(node, peer, sharing):
    """After both outboxes drained: each message queued on a link arrived once, and what was
    recorded at one end is at the other. Returns the number of sharing messages checked."""
    checked = 0
    for sender, receiver in ((node, peer), (peer, node)):
        (queued,) = sender.query("SELECT next_link_seq - 1 FROM share_links WHERE peer = ?",
                                 receiver.name)[0]
        inbox = receiver.query("SELECT message_id, seq, kind FROM share_inbox "
                               "WHERE from_peer = ?", sender.name)
        ids = [m for m, _, _ in inbox]
        seqs = [s for _, s, _ in inbox]
        check(len(ids) == len(set(ids)) and len(seqs) == len(set(seqs)),
              f"{receiver.name} holds a message from {sender.name} twice")
        check(len(inbox) == queued, f"{sender.name} queued {queued} messages for "
              f"{receiver.name}, which took {len(inbox)}")
        listed = [v for (v,) in receiver.query(
            "SELECT value FROM watchlist_entries WHERE origin = ?", sender.name)]
        check(sorted(listed) == sorted(sharing.watch[sender.name]),
              f"watchlist entries of {sender.name} at {receiver.name}: {len(listed)}, "
              f"expected {len(sharing.watch[sender.name])}")
        outcomes = [c for (c,) in receiver.query(
            "SELECT container FROM shared_outcomes WHERE origin = ?", sender.name)]
        check(sorted(outcomes) == sorted(sharing.outcomes[sender.name]),
              f"outcomes of {sender.name} at {receiver.name}: {sorted(outcomes)}, "
              f"expected {sorted(sharing.outcomes[sender.name])}")
        alerts = [c for (c,) in receiver.query(
            "SELECT container FROM shared_alerts WHERE origin = ? AND kind = 'alert'",
            sender.name)]
        check(len(alerts) == len(set(alerts)), f"an alert of {sender.name} arrived twice")
        checked += len(inbox)
    from_peer = [c for (c,) in node.query(
        "SELECT container FROM shared_alerts WHERE origin = ? AND kind = 'alert'", peer.name)]
    check(sorted(from_peer) == sorted(sharing.alerts), f"alerts of {peer.name} at "
          f"{node.name}: {sorted(from_peer)}, expected {sorted(sharing.alerts)}")
    alerted = {c for (c,) in node.query(
        "SELECT c.number FROM share_alerted a JOIN containers c ON c.id = a.container_id")}
    alerts = {c for (c,) in peer.query(
        "SELECT container FROM shared_alerts WHERE origin = ?", node.name)}
    check(alerts and alerts <= alerted, f"{peer.name} has {len(alerts)} alerts from "
          f"{node.name}, not all among the {len(alerted)} containers it alerted")
    return checked


def run(binary, data_dir, cycles, seed):
    kills = random.Random(seed)  # the moments of the kills, apart from the traffic's draws
    rng = random.Random(seed + 1)
    print(f"crash test: seed {seed}, {cycles} cycles", flush=True)
    started = time.monotonic()
    workdir = tempfile.TemporaryDirectory(prefix="portscreen-crash-")
    root = pathlib.Path(workdir.name)
    context = zmq.Context()
    node = peer = None
    try:
        node = NodeProcess(binary, root / "node", name="NODE-N", share=True)
        peer = NodeProcess(binary, root / "peer", name="PEER-P", share=True)
        node.ports, peer.ports = ["NLRTM"], ["BEANR"]
        # Every container scored at the node becomes an alert for the peer: a steady stream.
        configure(node, peer, node.ports, threshold=1)
        configure(peer, node, peer.ports, threshold=100)
        cuscar = pathlib.Path(data_dir) / "edifact/synthetic/cuscar_d95b_sea_synthetic.edi"
        traffic = Traffic(rng, cuscar.read_bytes())
        peer.start()
        peer_boxes = [container_number("PRX", i) for i in range(cycles + 10)]
        # In transit to the node's port, so that the peer's alerts are for the node.
        peer.cli("feed", "--to", peer.ingest, write(root / "peer-manifest.json", json_manifest(
            "PRX000001", peer_boxes, port_of_call="BEANR", eta=f"{DAY}T06:00:00Z",
            discharge="NLRTM")))
        sharing = Sharing(node, peer, peer_boxes)
        files = ImageFiles(node.data / "images")
        cycle_times, counts = [], {}
        audit = None
        for cycle in range(1, cycles + 1):
            began = time.monotonic()
            node.start()
            if audit:  # of the data folder as the last kill left it, while the node started
                finish_audit(audit)
            ready = time.monotonic() - began
            stop = threading.Event()
            resend_m, resend_s = traffic.unacked_messages(), traffic.unacked_scans()
            threads = [
                threading.Thread(target=load_manifests,
                                 args=(context, node, traffic, stop, resend_m)),
                threading.Thread(target=load_scans, args=(context, node, traffic, stop, resend_s)),
                threading.Thread(target=sharing.record, args=(cycle, traffic)),
            ]
            for thread in threads:
                thread.start()
            time.sleep(kills.uniform(0.3, 3.0))
            code = node.kill()
            check(code == -9, f"cycle {cycle}: the node had already exited ({code}) before the "
                  f"kill:\n{node.log_tail()}")
            stop.set()
            for thread in threads:
                thread.join(timeout=300)
                check(not thread.is_alive(), "a load thread did not stop")
            check(not traffic.nacks, f"NACKs during the run: {traffic.nacks[:3]}")
            check(not sharing.errors, f"recording sharing events failed: {sharing.errors}")
            killed = time.monotonic() - began
            counts = verify_store(node, traffic, files, audit=False)
            audit = start_audit(node)
            cycle_times.append(time.monotonic() - began)
            print(f"cycle {cycle}: killed after {len(traffic.acked)} messages and "
                  f"{len(traffic.scans_acked)} scans ACKed in all; stored {counts}; "
                  f"{cycle_times[-1]:.1f} s (ready after {ready:.1f} s, killed at "
                  f"{killed:.1f} s)", flush=True)
        # The end: every client resends what was never ACKed, and everything is stored.
        node.start()
        if audit:
            finish_audit(audit)
        resend_m, resend_s = traffic.unacked_messages(), traffic.unacked_scans()
        finish_resends(context, node, traffic, resend_m, resend_s)
        check(not traffic.nacks, f"NACKs: {traffic.nacks[:3]}")
        check(not traffic.unacked_messages() and not traffic.unacked_scans(),
              "something sent again was not ACKed")
        wait_drained(node, peer)
        # A scan ACKed but not analysed at a kill is analysed when the node starts again.
        wait_for("every stored scan to be analysed", lambda: node.query(
            "SELECT count(*) FROM scans s WHERE NOT EXISTS "
            "(SELECT 1 FROM scan_analyses a WHERE a.scan_row = s.id)")[0][0] == 0, 300, 0.5)
        shared = sharing_checks(node, peer, sharing)
        check(node.stop() == 0, f"the node did not stop cleanly:\n{node.log_tail()}")
        check(peer.stop() == 0, f"the peer did not stop cleanly:\n{peer.log_tail()}")
        counts = verify_store(node, traffic, files, full=True)
        # The last start removed what earlier kills left mid-write; nothing killed it since.
        check(counts["temporary"] == 0, f"{counts['temporary']} temporary image files remain")
        verify_store_peer(peer)
        duration = time.monotonic() - started
        per_cycle = sum(cycle_times) / max(len(cycle_times), 1)
        print(f"crash summary: seed {seed}, cycles {cycles}, messages ACKed "
              f"{len(traffic.acked)}/checked {len(traffic.messages)}, scans ACKed "
              f"{len(traffic.scans_acked)}/checked {len(traffic.scans)}, sharing messages "
              f"checked {shared}, orphan image files {counts['orphans']}, temporary files "
              f"{counts['temporary']}, {per_cycle:.1f} s per cycle, duration {duration:.0f} s",
              flush=True)
    except BaseException:
        for who in (node, peer):
            if who is not None:
                print(f"--- log of {who.name}:\n{who.log_tail(60)}", file=sys.stderr)
        raise
    finally:
        for who in (node, peer):
            if who is not None:
                who.kill()
        context.term()
        workdir.cleanup()


def verify_store_peer(peer):
    db = sqlite3.connect(str(peer.data / "portscreen.db"))
    try:
        (result,) = db.execute("PRAGMA integrity_check").fetchone()
        check(result == "ok", f"{peer.name}: integrity_check: {result}")
    finally:
        db.close()
    check("intact" in peer.cli("audit", "verify", "--data", peer.data), "peer audit")


def finish_resends(context, node, traffic, messages, scans):
    """Lazy Pirate to the end: every id is sent again until it is answered."""
    for message_id in messages:
        content_type, payload, _ = traffic.messages[message_id]
        window = Window(context, node.ingest, size=1)
        try:
            window.send(message_id, [message_id.encode(), content_type.encode(), payload])
            wait_for(f"an answer to {message_id}", lambda: window.collect(100), 120)
            status, body = window.replies[message_id]
            traffic.answered_manifest(message_id, status, body)
        finally:
            window.close()
    for scan_id in scans:
        header, images = traffic.scans[scan_id]
        window = Window(context, node.scans, size=1)
        try:
            window.send(scan_id, [header, *images])
            wait_for(f"an answer to {scan_id}", lambda: window.collect(100), 120)
            status, body = window.replies[scan_id]
            traffic.answered_scan(scan_id, status, body)
        finally:
            window.close()


def write(path, document):
    path.write_text(json.dumps(document))
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("data_dir")
    parser.add_argument("--cycles", type=int, default=50)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    # A timeout's SIGTERM still runs the clean-up that kills both nodes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(f"terminated (seed {seed})"))
    try:
        run(args.binary, args.data_dir, args.cycles, seed)
    except Failure as failure:
        print(f"FAILED (seed {seed}): {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
