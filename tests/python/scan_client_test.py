"""An independent scan client, written from docs/protocols.md with Debian's python3-zmq.

Starts a real `portscreen serve`, feeds it a CUSCAR manifest, sends the shared dual-energy
X-ray fixture for a container of that manifest and checks the ACK, sends a broken scan and
checks the NACK, waits for the analysis, exports the scan as DICOS and has DCMTK's dcmdump read
the files, renders it with a palette, and links an unmatched scan by hand through the command
line.

usage: scan_client_test.py PORTSCREEN_BINARY TEST_DATA_DIR
"""

import csv
import json
import pathlib
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

import zmq

BINARY = None
DATA = None
DEADLINE_MS = 30_000


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def header(scan_id, container, high="png", width=512, height=128):
    return json.dumps({
        "scan_id": scan_id, "scanner_id": "KEMBA-GATE-2", "containers": [container],
        "scanned_at": "2024-01-21T08:15:00Z", "view": "side",
        "energies_mev": {"high": 6.0, "low": 4.0}, "air_value": 60000,
        "pixel_spacing_mm": {"along_scan": 5.0, "detector": 5.0},
        "images": [{"channel": "high", "format": high, "width": width, "height": height},
                   {"channel": "low", "format": "png", "width": width, "height": height}],
    }).encode()


class ScanProtocolTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.TemporaryDirectory(prefix="portscreen-py-scan-")
        cls.data = pathlib.Path(cls.workdir.name) / "node"
        cls.ingest = f"tcp://127.0.0.1:{free_port()}"
        cls.scans = f"tcp://127.0.0.1:{free_port()}"
        cls.log = open(pathlib.Path(cls.workdir.name) / "node.log", "w+")
        cls.node = subprocess.Popen(
            [BINARY, "serve", "--data", str(cls.data), "--ingest", cls.ingest,
             "--scans", cls.scans, "--http", "127.0.0.1:0"], stderr=cls.log)
        cls.context = zmq.Context()
        cls.high = (DATA / "xray/synthetic_high.png").read_bytes()
        cls.low = (DATA / "xray/synthetic_low.png").read_bytes()

    @classmethod
    def tearDownClass(cls):
        if cls.node.poll() is None:
            cls.node.send_signal(signal.SIGTERM)
            cls.node.wait(timeout=30)
        cls.context.term()
        cls.log.close()
        cls.workdir.cleanup()

    def exchange(self, endpoint, frames):
        dealer = self.context.socket(zmq.DEALER)
        dealer.setsockopt(zmq.LINGER, 0)
        dealer.setsockopt(zmq.RCVTIMEO, DEADLINE_MS)
        dealer.connect(endpoint)
        try:
            dealer.send_multipart(frames)
            reply = dealer.recv_multipart()
        finally:
            dealer.close()
        self.assertEqual(len(reply), 3, reply)
        return reply[0].decode(), reply[1].decode(), json.loads(reply[2])

    def portscreen(self, *args):
        return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=120)

    def test_1_a_scan_of_a_manifested_container_is_stored_and_linked(self):
        manifest = (DATA / "edifact/synthetic/cuscar_d95b_sea_synthetic.edi").read_bytes()
        _, status, body = self.exchange(self.ingest, [b"manifest-1", b"application/edifact",
                                                      manifest])
        self.assertEqual(status, "ACK", body)
        scan_id, status, body = self.exchange(
            self.scans, [header("PY-0001", "CSQU3054383"), self.high, self.low])
        self.assertEqual((scan_id, status), ("PY-0001", "ACK"), body)
        self.assertEqual(body["status"], "stored")
        self.assertEqual(body["containers"][0]["linked"], True, body)
        self.assertEqual({image["channel"] for image in body["images"]}, {"high", "low"})
        for image in body["images"]:
            digest = image["sha256"]
            stored = self.data / "images" / digest[:2] / digest
            expected = self.high if image["channel"] == "high" else self.low
            self.assertEqual(stored.read_bytes(), expected)

    def test_2_a_broken_scan_is_refused_with_its_reasons(self):
        labels = (DATA / "xray/synthetic_labels.png").read_bytes()  # 8-bit
        scan_id, status, body = self.exchange(
            self.scans, [header("PY-0002", "CSQU3054383"), labels, self.low])
        self.assertEqual((scan_id, status), ("PY-0002", "NACK"))
        self.assertIn("8-bit", body[0]["message"])
        _, status, body = self.exchange(
            self.scans, [header("PY-0003", "CSQU3054383", high="jpeg"), self.high, self.low])
        self.assertEqual(status, "NACK")
        self.assertEqual(body[0]["path"], "/images/0/format")

    def test_3_the_analysis_is_stored_and_the_scan_exports_as_dicos(self):
        for _ in range(150):
            shown = self.portscreen("scan", "show", "--data", str(self.data), "PY-0001")
            self.assertEqual(shown.returncode, 0, shown.stderr)
            if "analyses" in json.loads(shown.stdout):
                break
            time.sleep(0.2)
        analysis = json.loads(shown.stdout)["analyses"][0]
        self.assertIn("algorithm_version", analysis)
        self.assertEqual(analysis["container_id"], json.loads(shown.stdout)["containers"][0]
                         ["container_id"])
        out = pathlib.Path(self.workdir.name) / "dicos"
        exported = self.portscreen("scan", "export", "--data", str(self.data), "--dicos",
                                   str(out), "PY-0001")
        self.assertEqual(exported.returncode, 0, exported.stderr)
        files = sorted(out.glob("*.dcm"))
        self.assertEqual([f.name for f in files], ["PY-0001-high.dcm", "PY-0001-low.dcm"])
        dcmdump = shutil.which("dcmdump")
        self.assertIsNotNone(dcmdump, "dcmdump is missing: install the dcmtk package")
        for file in files:
            dump = subprocess.run([dcmdump, "-dc", str(file)], capture_output=True, text=True)
            self.assertEqual(dump.returncode, 0, dump.stderr)
            self.assertEqual(dump.stderr, "")
            self.assertIn("=DICOS_DigitalXRayImageStorageForProcessing", dump.stdout)
            self.assertRegex(dump.stdout, r"\(0010,0020\) LO \[CSQU3054383 ?\]")
            self.assertIn("(0028,0010) US 128", dump.stdout)
        rendered = pathlib.Path(self.workdir.name) / "heat.png"
        result = self.portscreen("scan", "render", "--data", str(self.data), "--out",
                                 str(rendered), "--clahe", "--palette", "heat", "PY-0001")
        self.assertEqual(result.returncode, 0, result.stderr)
        png = rendered.read_bytes()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        width, height, depth, colour = (int.from_bytes(png[16:20], "big"),
                                        int.from_bytes(png[20:24], "big"), png[24], png[25])
        self.assertEqual((width, height, depth, colour), (512, 128, 8, 2))  # RGB, 8-bit

    def test_4_an_unmatched_scan_waits_and_is_linked_by_hand(self):
        _, status, body = self.exchange(
            self.scans, [header("PY-0004", "CSQU3054384"), self.high, self.low])
        self.assertEqual(status, "ACK", body)
        self.assertFalse(body["containers"][0]["linked"])
        listed = self.portscreen("scan", "unmatched", "--data", str(self.data))
        self.assertIn("PY-0004", listed.stdout)
        self.assertIn("check digit", listed.stdout)
        # An officer puts the container in the scanning lane; it then waits for its scan.
        with sqlite3.connect(f"file:{self.data / 'portscreen.db'}?mode=ro", uri=True) as db:
            (day,) = db.execute("SELECT substr(v.eta, 1, 10) FROM containers c JOIN vessel_calls "
                                "v ON v.id = c.vessel_call_id WHERE c.number = 'CSQU3054383'"
                                ).fetchone()
        for command in (["select", "add", "CSQU3054383", "--lane", "yellow", "--reason", "test"],
                        ["select"]):
            selected = self.portscreen(*command, "--data", str(self.data), "--day", day)
            self.assertEqual(selected.returncode, 0, selected.stderr)
        linked = self.portscreen("scan", "link", "--data", str(self.data), "--officer",
                                 "officer 12", "PY-0004", "CSQU3054383")
        self.assertEqual(linked.returncode, 0, linked.stderr)
        self.assertIn("now scanned", linked.stdout)
        with sqlite3.connect(f"file:{self.data / 'portscreen.db'}?mode=ro", uri=True) as db:
            state = db.execute("SELECT w.state FROM workflow w JOIN containers c "
                               "ON c.id = w.container_id WHERE c.number = 'CSQU3054383'"
                               ).fetchone()
        self.assertEqual(state, ("scanned",))
        listed = self.portscreen("scan", "unmatched", "--data", str(self.data))
        self.assertNotIn("PY-0004", listed.stdout)
        # The command stored its analysis; the running node re-scores the container with it.
        query = ("SELECT s.image_basis, (SELECT max(a.id) FROM scan_analyses a "
                 "WHERE a.container_id = c.id) FROM scores s JOIN containers c "
                 "ON c.id = s.container_id WHERE c.number = 'CSQU3054383'")
        for _ in range(100):
            with sqlite3.connect(f"file:{self.data / 'portscreen.db'}?mode=ro", uri=True) as db:
                used, newest = db.execute(query).fetchone()
            if used == newest:
                break
            time.sleep(0.1)
        self.assertEqual(used, newest)
        refused = self.portscreen("scan", "link", "--data", str(self.data), "--officer", "x",
                                  "PY-0004", "MSCU1234565")
        self.assertNotEqual(refused.returncode, 0)

    def test_5_scan_send_sends_a_scan_from_files(self):
        folder = pathlib.Path(self.workdir.name) / "send"
        folder.mkdir()
        (folder / "header.json").write_bytes(header("PY-0005", "CSQU3054383"))
        (folder / "high.png").write_bytes(self.high)
        (folder / "low.png").write_bytes(self.low)
        sent = self.portscreen("scan", "send", "--to", self.scans, str(folder / "header.json"),
                               str(folder / "high.png"), str(folder / "low.png"))
        self.assertEqual(sent.returncode, 0, sent.stdout + sent.stderr)
        self.assertIn("ACK  PY-0005", sent.stdout)
        self.assertIn('"status":"stored"', sent.stdout)
        refused = self.portscreen("scan", "send", "--to", self.scans,
                                  str(folder / "header.json"), str(folder / "high.png"))
        self.assertEqual(refused.returncode, 1)
        self.assertIn("NACK PY-0005", refused.stdout)
        self.assertIn("2 images, 1 image frames", refused.stdout)

    def test_5b_a_simulated_labelled_set_is_written_and_accepted(self):
        folder = pathlib.Path(self.workdir.name) / "set"
        written = self.portscreen("scanner-sim", "set", "--out", str(folder), "--count", "2",
                                  "--width", "800", "--height", "200", "--seed", "3")
        self.assertEqual(written.returncode, 0, written.stderr)
        labels = [json.loads(line) for line in (folder / "labels.jsonl").read_text().splitlines()]
        self.assertEqual([label["scan"] for label in labels], ["scan-00001", "scan-00002"])
        for label in labels:
            self.assertIn(label["concealment"], ["none", "dense_object", "wall_compartment",
                                                 "floor_compartment"])
        sent = self.portscreen("scan", "send", "--to", self.scans,
                               str(folder / "scan-00001.json"), str(folder / "scan-00001-high.png"),
                               str(folder / "scan-00001-low.png"))
        self.assertEqual(sent.returncode, 0, sent.stdout + sent.stderr)
        self.assertIn("ACK  " + labels[0]["scan_id"], sent.stdout)

    def test_5c_the_image_evaluation_lists_every_scan(self):
        listing = pathlib.Path(self.workdir.name) / "scans.csv"
        run = self.portscreen("eval", "images", "--seed", "5", "--count", "12", "--width", "800",
                              "--height", "200", "--scans", str(listing), "--json")
        self.assertEqual(run.returncode, 0, run.stderr)
        report = json.loads(run.stdout)
        with listing.open(newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([int(row["index"]) for row in rows], list(range(12)))
        clean = [row for row in rows if row["group"] == "clean"]
        self.assertEqual(len(clean), report["clean_loaded"])
        concealed = [row for row in rows if row["group"] in report["kinds"]]
        self.assertEqual(len(concealed), report["concealed"])
        for row in concealed:
            self.assertNotEqual(row["truth_width"], "", row)
        flagged = sum(row["flagged_5pct"] == "1" for row in clean)
        self.assertEqual(flagged, sum(report["false_alarms_5pct"].values()))
        self.assertAlmostEqual(flagged / len(clean), report["false_alarm_5pct"])

    def test_6_node_stops_cleanly(self):
        self.node.send_signal(signal.SIGTERM)
        self.assertEqual(self.node.wait(timeout=60), 0)


if __name__ == "__main__":
    BINARY = sys.argv[1]
    DATA = pathlib.Path(sys.argv[2])
    unittest.main(argv=sys.argv[:1], verbosity=2)
