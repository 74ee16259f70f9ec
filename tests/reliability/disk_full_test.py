"""Disk full: a real node with its data folder on a small filesystem (a tmpfs of 48 MiB).

The filesystem is filled with a filler file while the node runs. Manifests and scans must then
be answered NACK with a `storage` problem saying the disk or database is full, nothing of them
stored (no message row, no scan row, no image file left behind), while the node keeps serving
(still alive, still answering) and its database stays intact. Once the filler is deleted the
same messages and scans, sent again under the same ids, are ACKed and stored.

Mounting needs root: as root the tmpfs is mounted on a temporary folder and unmounted at the end
whatever happens; otherwise the test runs itself again inside
`unshare --user --map-root-user --mount`, where it may mount. It never skips.

usage: disk_full_test.py PORTSCREEN_BINARY TEST_DATA_DIR
"""

import errno
import hashlib
import json
import os
import pathlib
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

import zmq

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from node_process import (NodeProcess, container_number, exchange,  # noqa: E402
                          json_manifest, raw_image, scan_header, send_manifest, send_scan)

BINARY = None
SIZE = "48m"
INSIDE = "PORTSCREEN_DISK_FULL_NAMESPACE"
WIDTH, HEIGHT = 256, 96


def fill(folder):
    """Writes a filler file until the filesystem refuses; returns its path."""
    filler = folder / "filler"
    chunk = b"\xa5" * (1 << 20)
    with open(filler, "wb", buffering=0) as out:
        for size in (1 << 20, 1 << 12, 1):
            piece = chunk[:size]
            while True:
                try:
                    out.write(piece)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
    return filler


class DiskFullTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.TemporaryDirectory(prefix="portscreen-diskfull-")
        cls.mount = pathlib.Path(cls.workdir.name) / "small"
        cls.mount.mkdir()
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0755",
                                  "tmpfs", str(cls.mount)], capture_output=True, text=True)
        if mounted.returncode != 0:
            cls.workdir.cleanup()
            raise AssertionError(f"cannot mount a tmpfs: {mounted.stderr}")
        cls.context = zmq.Context()
        cls.rng = random.Random(7)
        try:
            cls.node = NodeProcess(BINARY, cls.mount / "node", name="DISK-FULL")
            # The log goes outside the small filesystem, so it can say what went wrong.
            cls.node.log_path = pathlib.Path(cls.workdir.name) / "node.log"
            cls.node.start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if getattr(cls, "node", None) is not None:
                cls.node.kill()
        finally:
            cls.context.term()
            done = subprocess.run(["umount", str(cls.mount)], capture_output=True, text=True)
            if done.returncode != 0:
                subprocess.run(["umount", "-l", str(cls.mount)], capture_output=True)
            cls.workdir.cleanup()

    def manifest(self, tag, containers):
        numbers = [container_number("DFL", self.rng.randrange(1, 999999))
                   for _ in range(containers)]
        document = json_manifest(f"DF{tag}", numbers, eta="2026-11-27T06:00:00Z")
        return f"disk-full-{tag}", json.dumps(document).encode(), numbers

    def scan(self, tag, box):
        images = [raw_image(WIDTH, HEIGHT, self.rng) for _ in range(2)]
        return f"DF-SCAN-{tag}", images, box

    def send_manifest(self, message):
        message_id, payload, _ = message
        reply = send_manifest(self.context, self.node.ingest, message_id, "application/json",
                              payload, timeout=120)
        self.assertIsNotNone(reply, f"no answer to {message_id}: the node hangs\n"
                                    f"{self.node.log_tail()}")
        return reply

    def send_scan(self, scan):
        scan_id, images, box = scan
        reply = send_scan(self.context, self.node.scans,
                          scan_header(scan_id, [box], WIDTH, HEIGHT,
                                      scanned_at="2026-11-27T09:00:00Z"), images, timeout=120)
        self.assertIsNotNone(reply, f"no answer to {scan_id}: the node hangs\n"
                                    f"{self.node.log_tail()}")
        return reply

    def db(self):
        return sqlite3.connect(f"file:{self.node.data / 'portscreen.db'}?mode=ro", uri=True,
                               timeout=30)

    def stored_messages(self):
        """message id -> the container numbers stored with it."""
        with self.db() as db:
            stored = {m: set() for (m,) in db.execute("SELECT message_id FROM messages")}
            for message_id, number in db.execute(
                    "SELECT m.message_id, c.number FROM containers c "
                    "JOIN messages m ON m.id = c.message_row"):
                stored[message_id].add(number)
            return stored

    def stored_scans(self):
        with self.db() as db:
            scans = {}
            for scan_id, sha in db.execute("SELECT s.scan_id, i.sha256 FROM scans s "
                                           "LEFT JOIN scan_images i ON i.scan_row = s.id"):
                scans.setdefault(scan_id, set()).add(sha)
            return scans

    def assert_integrity(self):
        with self.db() as db:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")

    def assert_no_leftovers(self):
        """Every image file is named by a stored scan and matches its hash; no temporary file."""
        root = self.node.data / "images"
        with self.db() as db:
            referenced = {s for (s,) in db.execute("SELECT sha256 FROM scan_images")}
        files = {f.name: f for f in root.glob("??/*")}
        self.assertEqual(set(files), referenced, "image files not named by a stored scan")
        for name, file in files.items():
            self.assertEqual(hashlib.sha256(file.read_bytes()).hexdigest(), name)
        self.assertEqual(list((root / "tmp").glob("*")), [], "temporary image files left")

    def test_disk_full_gives_nacks_and_recovers(self):
        # Space to begin with: a manifest and a scan are stored.
        first = self.manifest("000", 5)
        status, body = self.send_manifest(first)
        self.assertEqual(status, "ACK", body)
        status, body = self.send_scan(self.scan("000", first[2][0]))
        self.assertEqual(status, "ACK", body)

        filler = fill(self.mount)
        print(f"filled: {filler.stat().st_size >> 20} MiB of filler", flush=True)
        # The database may still have room in pages it owns; each message is larger than the
        # last until the disk refuses.
        refused, accepted = [], []
        for attempt in range(1, 13):
            message = self.manifest(f"{attempt:03d}", 20 * attempt)
            status, body = self.send_manifest(message)
            if status == "ACK":
                accepted.append(message)
                continue
            self.assertEqual(body[0]["code"], "storage", body)
            refused.append((message, body))
            if len(refused) == 3:
                break
        self.assertTrue(refused, "no manifest was refused on a full disk")
        for _, body in refused:
            self.assertRegex(body[0]["message"], r"(?i)full|no space", body)
        print(f"manifests on the full disk: {len(accepted)} ACKed (room in the database's own "
              f"pages), {len(refused)} NACKed: {refused[0][1][0]['message']}", flush=True)
        scans_refused = []
        for attempt in range(1, 4):
            scan = self.scan(f"{attempt:03d}", first[2][attempt])
            status, body = self.send_scan(scan)
            self.assertEqual(status, "NACK", f"a scan was ACKed on a full disk: {body}")
            self.assertEqual(body[0]["code"], "storage", body)
            self.assertRegex(body[0]["message"], r"(?i)full|no space", body)
            scans_refused.append(scan)
        print(f"scan NACK: {body[0]['message']}", flush=True)

        # Still serving: alive, answering a request that needs no space, database intact,
        # nothing of the refused messages or scans stored.
        self.assertTrue(self.node.alive(), self.node.log_tail())
        reply = exchange(self.context, self.node.ingest, [b"only-two", b"frames"], timeout=60)
        self.assertEqual((reply[1], reply[2][0]["code"]), ("NACK", "frames"))
        self.assert_integrity()
        stored = self.stored_messages()
        for message, _ in refused:
            self.assertNotIn(message[0], stored)
        for message in accepted + [first]:
            self.assertEqual(stored.get(message[0]), set(message[2]), message[0])
        scans = self.stored_scans()
        for scan in scans_refused:
            self.assertNotIn(scan[0], scans)
        self.assert_no_leftovers()

        # Space returns: the same ids are sent again and stored.
        filler.unlink()
        for message, _ in refused:
            status, body = self.send_manifest(message)
            self.assertEqual(status, "ACK", body)
        for scan in scans_refused:
            status, body = self.send_scan(scan)
            self.assertEqual((status, body["status"]), ("ACK", "stored"), body)
        stored = self.stored_messages()
        for message, _ in refused:
            self.assertEqual(stored.get(message[0]), set(message[2]), message[0])
        scans = self.stored_scans()
        for scan_id, images, _ in scans_refused:
            self.assertEqual(scans.get(scan_id),
                             {hashlib.sha256(image).hexdigest() for image in images})
        self.assert_integrity()
        self.assert_no_leftovers()
        self.assertTrue(self.node.alive(), self.node.log_tail())
        self.assertEqual(self.node.stop(), 0, self.node.log_tail())
        self.assert_integrity()
        audit = self.node.cli("audit", "verify", "--data", self.node.data)
        self.assertIn("intact", audit)


def main():
    global BINARY
    BINARY = os.path.abspath(sys.argv[1])
    if os.geteuid() != 0 and not os.environ.get(INSIDE):
        unshare = shutil.which("unshare")
        if not unshare:
            print("FAILED: not root and no unshare to mount a small filesystem", file=sys.stderr)
            sys.exit(1)
        done = subprocess.run([unshare, "--user", "--map-root-user", "--mount", sys.executable,
                               *sys.argv], env={**os.environ, INSIDE: "1"})
        sys.exit(done.returncode)
    unittest.main(argv=sys.argv[:1], verbosity=2)


if __name__ == "__main__":
    main()
