"""An independent ingest client, written from docs/protocols.md with Debian's python3-zmq.

Starts a real `portscreen serve` on a temporary data folder, sends a CUSCAR fixture over a
DEALER socket and checks the ACK body, sends a broken one and checks the NACK, runs
`portscreen feed` on both, and stops the node with SIGTERM.

usage: ingest_client_test.py PORTSCREEN_BINARY TEST_DATA_DIR
"""

import json
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import unittest
import uuid

import zmq

BINARY = None
DATA = None
DEADLINE_MS = 20_000


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class IngestProtocolTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.TemporaryDirectory(prefix="portscreen-py-")
        cls.endpoint = f"tcp://127.0.0.1:{free_port()}"
        cls.log = open(pathlib.Path(cls.workdir.name) / "node.log", "w+")
        cls.node = subprocess.Popen(
            [BINARY, "serve", "--data", str(pathlib.Path(cls.workdir.name) / "node"),
             "--ingest", cls.endpoint, "--scans", f"tcp://127.0.0.1:{free_port()}",
             "--http", "127.0.0.1:0"],
            stderr=cls.log)
        cls.context = zmq.Context()

    @classmethod
    def tearDownClass(cls):
        if cls.node.poll() is None:
            cls.node.kill()
            cls.node.wait()
        cls.context.term()
        cls.log.close()
        cls.workdir.cleanup()

    def exchange(self, frames):
        """Sends one request on a fresh DEALER and returns the three reply frames."""
        dealer = self.context.socket(zmq.DEALER)
        dealer.setsockopt(zmq.LINGER, 0)
        dealer.setsockopt(zmq.RCVTIMEO, DEADLINE_MS)
        dealer.connect(self.endpoint)
        try:
            dealer.send_multipart(frames)
            reply = dealer.recv_multipart()
        finally:
            dealer.close()
        self.assertEqual(len(reply), 3, reply)
        return reply[0].decode(), reply[1].decode(), json.loads(reply[2])

    def test_1_cuscar_is_acknowledged_with_what_was_stored(self):
        payload = (DATA / "edifact/synthetic/cuscar_d95b_sea_synthetic.edi").read_bytes()
        message_id = str(uuid.uuid4())
        reply_id, status, body = self.exchange(
            [message_id.encode(), b"application/edifact", payload])
        self.assertEqual(reply_id, message_id)
        self.assertEqual(status, "ACK", body)
        manifest = body["manifests"][0]
        self.assertEqual(manifest["vessel_call"]["imo"], "9123453")
        self.assertEqual(manifest["vessel_call"]["voyage"], "024W")
        self.assertEqual(manifest["vessel_call"]["port_of_call"], "KEMBA")
        self.assertEqual(manifest["containers"], ["CSQU3054383", "ABCU1234560"])
        self.assertEqual([c["master_bl"] for c in manifest["consignments"]],
                         ["CRXSHA0001", "CRXSHA0002"])

        # The same message-id again: the same answer.
        _, status_again, body_again = self.exchange(
            [message_id.encode(), b"application/edifact", payload])
        self.assertEqual(status_again, "ACK")
        self.assertEqual(body_again, body)

    def test_2_errors_come_back_with_their_location(self):
        payload = (DATA / "edifact/synthetic/neg_bad_check_digit.edi").read_bytes()
        _, status, body = self.exchange([b"bad-1", b"application/edifact", payload])
        self.assertEqual(status, "NACK")
        self.assertIsInstance(body, list)
        digit = [p for p in body if p["code"] == "check-digit"]
        self.assertTrue(digit, body)
        self.assertIn("CSQU3054384", digit[0]["message"])
        self.assertEqual(digit[0]["segment_tag"], "EQD")

        _, status, body = self.exchange([b"bad-2", b"application/xml", b"<x/>"])
        self.assertEqual(status, "NACK")
        self.assertEqual(body[0]["code"], "content-type")

    def test_3_feed_command_reports_each_file(self):
        good = DATA.parent.parent / "docs/examples/lcl.json"
        bad = DATA / "edifact/synthetic/neg_bad_unt_count.edi"
        ok = subprocess.run([BINARY, "feed", "--to", self.endpoint, str(good)],
                            capture_output=True, text=True, timeout=60)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn("ACK", ok.stdout)
        refused = subprocess.run([BINARY, "feed", "--to", self.endpoint, str(good), str(bad)],
                                 capture_output=True, text=True, timeout=60)
        self.assertEqual(refused.returncode, 1, refused.stdout + refused.stderr)
        self.assertIn("NACK", refused.stdout)
        self.assertIn("UNT", refused.stdout)

    def test_4_node_stops_cleanly_on_sigterm(self):
        self.node.send_signal(signal.SIGTERM)
        self.assertEqual(self.node.wait(timeout=30), 0)
        self.log.seek(0)
        self.assertIn("stopped cleanly", self.log.read())
        status = subprocess.run(
            [BINARY, "status", "--data", str(pathlib.Path(self.workdir.name) / "node")],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(status.returncode, 0, status.stderr)
        self.assertIn("containers: 3", status.stdout)


if __name__ == "__main__":
    BINARY = sys.argv[1]
    DATA = pathlib.Path(sys.argv[2])
    unittest.main(argv=sys.argv[:1], verbosity=2)
