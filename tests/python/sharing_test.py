"""Sharing between ports: three real nodes on loopback, each with its own data folder, keys
and ports, talking over ZeroMQ with CURVE.

Rotterdam (NLRTM-PCU) and Antwerp (BEANR-PCU) share directly and through a hub (EU-HUB). The
test checks: an alert from Rotterdam on a container bound for Antwerp reaches Antwerp, without
the parties' names, and raises that container's score there with the alert as a named factor;
Antwerp is stopped while Rotterdam makes 1,000 messages, then started, and applies all 1,000
exactly once and in order; a key no peer has is refused and logged; a message whose signature
does not verify is refused and recorded; the hub aggregates the outcomes of both ports and its
export totals match theirs; a container query is answered by the port that saw it.

usage: sharing_test.py PORTSCREEN_BINARY TEST_DATA_DIR
"""

import csv
import datetime
import http.client
import io
import json
import os
import pathlib
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


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def container_number(owner, serial):
    """An ISO 6346 number with its check digit (ISO 6346:1995, annex A)."""
    values, value = {}, 10
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if value % 11 == 0:
            value += 1
        values[letter] = value
        value += 1
    code = f"{owner}U{serial:06d}"
    total = sum((values[c] if c.isalpha() else int(c)) * 2 ** i for i, c in enumerate(code))
    return code + str(total % 11 % 10)


def run(*args, env=None, timeout=120):
    done = subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise AssertionError(f"portscreen {' '.join(map(str, args))} failed:\n{done.stderr}")
    return done.stdout


def wait_for(what, check, seconds=60):
    """Polls `check` until it returns something true; fails naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


class Node:
    def __init__(self, root, name, ports):
        self.name = name
        self.ports = ports
        self.data = root / name
        self.ingest = f"tcp://127.0.0.1:{free_port()}"
        self.scans = f"tcp://127.0.0.1:{free_port()}"
        self.share = f"tcp://127.0.0.1:{free_port()}"
        self.config = root / f"{name}.json"
        self.log_path = root / f"{name}.log"
        self.process = None
        self.http = None
        self.public = json.loads(run("keys", "generate", "--data", self.data, "--name", name))

    def configure(self, peers, hub=False, threshold=50):
        self.config.write_text(json.dumps({"share": {
            "ports": self.ports, "alert_threshold": threshold, "hub": hub, "peers": peers}}))

    def peer_entry(self, send, personal=False, hub=False, endpoint=True):
        entry = dict(self.public, ports=self.ports, send=send, personal_data=personal, hub=hub)
        if endpoint:
            entry["endpoint"] = self.share
        return entry

    def start(self):
        self.log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [BINARY, "serve", "--data", str(self.data), "--config", str(self.config),
             "--ingest", self.ingest, "--scans", self.scans, "--share", self.share,
             *(["--http", f"127.0.0.1:{self.http}"] if self.http else ["--no-http"])],
            stderr=self.log)
        wait_for(f"{self.name} to listen", lambda: self.listening(), 30)

    def listening(self):
        port = int(self.share.rsplit(":", 1)[1])
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        if self.process:
            self.log.close()
        self.process = None

    def read(self):
        return sqlite3.connect(f"file:{self.data / 'portscreen.db'}?mode=ro", uri=True,
                               timeout=10)

    def query(self, sql, *params):
        with self.read() as db:
            return db.execute(sql, params).fetchall()

    def feed(self, manifest, name):
        path = self.data.parent / f"{name}.json"
        path.write_text(json.dumps(manifest))
        run("feed", "--to", self.ingest, path)

    def log_text(self):
        return self.log_path.read_text()

    def web_get(self, path, username, password):
        """GET `path` from the node's web API as `username`, through a real login."""
        def call(method, url, body=None, cookie=""):
            connection = http.client.HTTPConnection("127.0.0.1", self.http, timeout=60)
            headers = {"Cookie": cookie} if cookie else {}
            if body is not None:
                headers["Content-Type"] = "application/json"
            connection.request(method, url, body=json.dumps(body) if body else None,
                               headers=headers)
            response = connection.getresponse()
            data = response.read()
            connection.close()
            return response.status, dict(response.getheaders()), data
        status, headers, data = call("POST", "/api/login",
                                     {"username": username, "password": password})
        assert status == 200, data
        cookie = headers["Set-Cookie"].split(";")[0]
        status, _, data = call("GET", path, cookie=cookie)
        assert status == 200, data
        return json.loads(data)


def manifest(document, port_of_call, eta, containers, discharge, consignee):
    """One vessel call with one B/L per container; the first B/L names `consignee`."""
    return {
        "format": "portscreen.manifest", "format_version": 1,
        "document_number": document, "issued_at": "2026-01-01T00:00:00Z", "sender": "TSTL",
        "vessel_call": {"imo": "9472153", "voyage": f"V{document[-3:]}",
                        "vessel_name": "NORTH STAR", "port_of_call": port_of_call, "eta": eta},
        "containers": [{"number": n, "size_type": "42G1", "load": "full",
                        "gross_mass_kg": 18000, "tare_mass_kg": 3800} for n in containers],
        "consignments": [{
            "master_bl": f"{document}-{i}", "port_of_loading": "CNSHA",
            "port_of_discharge": discharge,
            "consignee": {"name": consignee if i == 0 else f"Harbour Supplies {i} NV",
                          "country": "BE"},
            "goods_items": [{"item_number": 1, "hs_code": "940360", "description": "furniture",
                             "packages": 100, "gross_mass_kg": 14000,
                             "placements": [{"container_number": n}]}],
        } for i, n in enumerate(containers)],
    }


class SharingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.TemporaryDirectory(prefix="portscreen-py-share-")
        root = pathlib.Path(cls.workdir.name)
        cls.a = Node(root, "NLRTM-PCU", ["NLRTM"])
        cls.b = Node(root, "BEANR-PCU", ["BEANR"])
        cls.hub = Node(root, "EU-HUB", [])
        # A listed peer that never runs: the test speaks for it, as a relay that alters messages.
        cls.relay = Node(root, "ROGUE-RELAY", [])
        everything = ["alert", "outcome", "watchlist", "query", "answer"]
        cls.a.configure([cls.b.peer_entry(everything),
                         cls.hub.peer_entry(["outcome", "answer"], hub=True)])
        cls.b.configure([cls.a.peer_entry(everything),
                         cls.hub.peer_entry(["outcome", "answer"], hub=True),
                         cls.relay.peer_entry([], endpoint=False)])
        cls.hub.configure([cls.a.peer_entry(["outcome", "answer"]),
                           cls.b.peer_entry(["outcome", "answer"])], hub=True)
        cls.b.http = free_port()
        for node in (cls.a, cls.b, cls.hub):
            node.start()
        today = datetime.datetime.now(datetime.timezone.utc).date()
        cls.today = today.isoformat()
        cls.box = container_number("TSTU"[:3], 4711)
        cls.others = [container_number("TST", 5000 + i) for i in range(3)]
        consignee = "Brabant Import Handelsonderneming BV"
        cls.consignee = consignee
        cls.a.feed(manifest("RTM001", "NLRTM", f"{cls.today}T06:00:00Z", [cls.box] + cls.others,
                            "BEANR", consignee), "a-manifest")
        cls.b.feed(manifest("ANR001", "BEANR",
                            f"{(today + datetime.timedelta(days=1)).isoformat()}T06:00:00Z",
                            [cls.box] + cls.others, "BEANR", consignee), "b-manifest")
        for node in (cls.a, cls.b):
            wait_for(f"scores at {node.name}",
                     lambda node=node: node.query("SELECT count(*) FROM scores")[0][0] >= 4)

    @classmethod
    def tearDownClass(cls):
        for node in (cls.a, cls.b, cls.hub):
            node.stop()
        cls.workdir.cleanup()

    def score_at_b(self, number):
        rows = self.b.query("SELECT s.score, s.factors FROM scores s JOIN containers c "
                            "ON c.id = s.container_id WHERE c.number = ?", number)
        return rows[0][0], json.loads(rows[0][1])

    def test_1_alert_reaches_the_port_ahead_and_raises_the_score(self):
        before, factors = self.score_at_b(self.box)
        self.assertFalse([f for f in factors if f["kind"] == "alert"])
        # A party watchlist entry at Rotterdam raises the box above its alert threshold (50);
        # party entries are personal, so the entry itself does not leave Rotterdam.
        listing = self.a.data.parent / "watch.csv"
        listing.write_text("id,kind,value,reason,source,points\n"
                           f"w1,party,{self.consignee},front company,PCU Rotterdam,60\n")
        run("watchlist", "import", listing, "--data", self.a.data)
        wait_for("the alert at Antwerp", lambda: self.b.query(
            "SELECT count(*) FROM shared_alerts WHERE container = ?", self.box)[0][0] == 1)
        origin, body = self.b.query(
            "SELECT origin, body FROM shared_alerts WHERE container = ?", self.box)[0]
        self.assertEqual(origin, "NLRTM-PCU")
        self.assertNotIn("Brabant", body)  # Antwerp may not have names of parties
        self.assertIn("BEANR", json.loads(body)["route"])

        def rescored():
            score, factors = self.score_at_b(self.box)
            alerts = [f for f in factors if f["kind"] == "alert"]
            return (score, alerts) if alerts else None
        after, alerts = wait_for("the rescore at Antwerp", rescored)
        self.assertGreater(after, before)
        self.assertIn("NLRTM-PCU", alerts[0]["text"])
        # The officer at Antwerp sees the alert with its origin on the container's page.
        password = "officer password for the test"
        run("user", "add", "--data", self.b.data, "--username", "officer1", "--role",
            "officer", "--name", "Officer One", env={"PORTSCREEN_PASSWORD": password})
        (container_id,) = self.b.query("SELECT id FROM containers WHERE number = ?", self.box)[0]
        record = self.b.web_get(f"/api/containers/{container_id}", "officer1", password)
        self.assertEqual([a["origin"] for a in record["shared_alerts"]], ["NLRTM-PCU"])
        # The other containers were below the threshold: no alert for them.
        self.assertEqual(self.b.query("SELECT count(*) FROM shared_alerts")[0][0], 1)
        self.assertFalse(self.b.query(
            "SELECT count(*) FROM watchlist_entries WHERE origin IS NOT NULL")[0][0])

    def test_2_a_stopped_peer_gets_everything_once_and_in_order(self):
        self.b.stop()
        rows = ["id,kind,value,reason,source"]
        numbers = [container_number("TSB", 100000 + i) for i in range(1000)]
        rows += [f"bulk{i},container,{n},reported by informant,PCU Rotterdam"
                 for i, n in enumerate(numbers)]
        listing = self.a.data.parent / "bulk.csv"
        listing.write_text("\n".join(rows) + "\n")
        run("watchlist", "import", listing, "--data", self.a.data)
        wait_for("1,000 messages queued for Antwerp", lambda: self.a.query(
            "SELECT count(*) FROM share_outbox WHERE peer = 'BEANR-PCU' AND kind = 'watchlist'"
        )[0][0] >= 1000)
        self.b.start()
        wait_for("1,000 watchlist entries at Antwerp", lambda: self.b.query(
            "SELECT count(*) FROM watchlist_entries WHERE origin = 'NLRTM-PCU'")[0][0] >= 1000,
            seconds=120)
        time.sleep(1)  # anything sent twice would land now
        entries = self.b.query("SELECT entry_id, value FROM watchlist_entries "
                               "WHERE origin = 'NLRTM-PCU' ORDER BY id")
        self.assertEqual(len(entries), 1000)
        self.assertEqual([value for _, value in entries], numbers)
        seqs = [seq for (seq,) in self.b.query(
            "SELECT seq FROM share_inbox WHERE origin = 'NLRTM-PCU' AND kind = 'watchlist' "
            "ORDER BY id")]
        self.assertEqual(len(seqs), 1000)
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(set(seqs)), 1000)
        wait_for("the outbox to empty", lambda: self.a.query(
            "SELECT count(*) FROM share_outbox WHERE peer = 'BEANR-PCU'")[0][0] == 0)
        status = run("share", "status", "--data", self.a.data, "--config", self.a.config)
        line = next(l for l in status.splitlines() if l.startswith("BEANR-PCU"))
        self.assertIn("connected", line)

    def test_3_a_key_no_peer_has_is_refused_and_logged(self):
        context = zmq.Context()
        try:
            public, secret = zmq.curve_keypair()
            dealer = context.socket(zmq.DEALER)
            dealer.setsockopt(zmq.LINGER, 0)
            dealer.curve_serverkey = self.b.public["curve_public"].encode()
            dealer.curve_publickey = public
            dealer.curve_secretkey = secret
            dealer.connect(self.b.share)
            dealer.send(b"HELLO")
            self.assertEqual(dealer.poll(2000), 0, "an unknown key got an answer")
            dealer.close()
        finally:
            context.term()
        wait_for("the refusal in Antwerp's log",
                 lambda: public.decode() in self.b.log_text(), 10)

    def test_4_a_message_whose_signature_does_not_verify_is_refused(self):
        refused_before = self.b.query("SELECT count(*) FROM share_refused")[0][0]
        keys = json.loads((self.relay.data / "keys" / "node.json").read_text())
        # A listed relay passes on a message in Rotterdam's name that Rotterdam did not sign.
        context = zmq.Context()
        try:
            dealer = context.socket(zmq.DEALER)
            dealer.setsockopt(zmq.LINGER, 0)
            dealer.curve_serverkey = self.b.public["curve_public"].encode()
            dealer.curve_publickey = keys["curve_public"].encode()
            dealer.curve_secretkey = keys["curve_secret"].encode()
            dealer.connect(self.b.share)
            dealer.send(b"HELLO")
            self.assertTrue(dealer.poll(10000), "no answer to HELLO")
            verb, last = dealer.recv_multipart()
            self.assertEqual(verb, b"ACK")
            seq = 999999
            envelope = json.dumps({
                "v": 1, "id": f"NLRTM-PCU:{seq}", "origin": "NLRTM-PCU", "seq": seq,
                "kind": "watchlist", "created_at": "2026-11-28T07:00:00Z", "to": "",
                "ports": [], "personal": False,
                "body": {"removed": False, "entry_id": "forged", "kind": "container",
                         "value": self.box, "country": "", "reason": "forged",
                         "source": "nobody", "expires": ""}},
                separators=(",", ":"), sort_keys=True).encode()
            dealer.send_multipart([b"BATCH", str(int(last) + 1).encode(), envelope,
                                   bytes(64)])
            self.assertTrue(dealer.poll(10000), "no answer to the forged batch")
            verb, acknowledged = dealer.recv_multipart()
            self.assertEqual((verb, int(acknowledged)), (b"ACK", int(last) + 1))
            dealer.close()
        finally:
            context.term()
        refused = self.b.query("SELECT reason FROM share_refused ORDER BY id")
        self.assertEqual(len(refused), refused_before + 1)
        self.assertIn("signature", refused[-1][0])
        self.assertFalse(self.b.query(
            "SELECT count(*) FROM watchlist_entries WHERE entry_id LIKE '%forged%'")[0][0])

    def test_5_the_hub_aggregates_outcomes_and_its_totals_match(self):
        results = {self.a: [("seizure", "drugs"), ("no_find", ""), ("no_find", "")],
                   self.b: [("seizure", "weapons"), ("no_find", "")]}
        for node, outcomes in results.items():
            for number, (result, category) in zip([self.box] + self.others, outcomes):
                day = node.query("SELECT substr(v.eta, 1, 10) FROM containers c JOIN "
                                 "vessel_calls v ON v.id = c.vessel_call_id "
                                 "WHERE c.number = ?", number)[0][0]
                args = ["outcomes", "record", number, "--data", node.data, "--day", day,
                        "--result", result]
                if category:
                    args += ["--category", category, "--description", "found in the load"]
                run(*args)
        wait_for("five outcomes at the hub", lambda: self.hub.query(
            "SELECT count(*) FROM shared_outcomes")[0][0] == 5)
        period = ["--from", self.today, "--to",
                  (datetime.date.fromisoformat(self.today) + datetime.timedelta(days=1)).isoformat()]

        def rows(node, *extra):
            text = run("export", "--data", node.data, "--what", "outcomes", "--format", "csv",
                       *period, *extra)
            return list(csv.DictReader(io.StringIO(text)))
        network = rows(self.hub, "--network")
        for node in (self.a, self.b):
            own = rows(node)
            theirs = [r for r in network if r["unit"] == node.name]
            self.assertEqual(len(theirs), len(own), node.name)
            self.assertEqual(sum(r["result"] == "seizure" for r in theirs),
                             sum(r["result"] == "seizure" for r in own), node.name)
        # Antwerp also got Rotterdam's outcomes, directly and through the hub, once each.
        self.assertEqual(self.b.query(
            "SELECT count(*) FROM shared_outcomes WHERE origin = 'NLRTM-PCU'")[0][0], 3)

    def test_6_a_container_query_is_answered_by_the_ports_that_saw_it(self):
        printed = run("share", "query", "--data", self.b.data, "--config", self.b.config,
                      "--wait", "30", self.box)
        self.assertIn("NLRTM-PCU answered", printed)
        self.assertIn("seen at NLRTM on NORTH STAR", printed)
        self.assertIn("inspected at NLRTM", printed)  # the seizure of test 5
        unknown = run("share", "query", "--data", self.b.data, "--config", self.b.config,
                      "--wait", "5", container_number("ZZZ", 1))
        self.assertIn("0 sighting(s)", unknown)


if __name__ == "__main__":
    BINARY = sys.argv[1]
    DATA = pathlib.Path(sys.argv[2])
    unittest.main(argv=sys.argv[:1], verbosity=2)
