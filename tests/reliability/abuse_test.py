"""Abuse cases against a real port node, derived from what the node documents.

One `portscreen serve` with its web server, ingest, scan and sharing endpoints on free loopback
ports, a built-looking static folder, one account per role and a disabled one, a CUSCAR manifest
and a sharing peer whose keys the test holds. Then, category by category:

- access: every operation of docs/openapi.yaml (an operation without a probe here fails) against
  every role, an anonymous client and a disabled user; the roles allowed come from the
  permission table of the same file and each operation's `x-permission`;
- session: fixation (a client-chosen id is never adopted), new ids per login, logout and idle
  expiry ending the session server-side, cookie flags on login and logout;
- csrf: every state-changing operation without a token, with a wrong one, with another
  session's, and from a foreign Origin without a token;
- traversal: encoded, double-encoded, backslash, NUL and overlong variants on static files and
  on every path parameter;
- sqli: classic payloads through every path, query and JSON body parameter; never a 5xx, never
  more rows than the honest search, no secret in an answer, the database intact;
- params and types: numbers past their limits, invalid UTF-8 and NUL through every path and
  query parameter, a value of each wrong type in every JSON body field: never a 5xx;
- http limits: huge headers, declared and undeclared huge bodies, chunked bodies, a body that
  never ends, many slow connections (slowloris) while a normal client is served, and the slow
  connections closed after the read timeout;
- zeromq: oversized frames, many-frame messages and malformed headers on the ingest and scan
  endpoints, each followed by a valid message that must be ACKed;
- sharing: a listed peer replays a message already applied (same global id under a new link
  number, the old batch again, the same id with another body): applied once, score raised once.

Prints one summary line with the cases tried per category.

usage: abuse_test.py PORTSCREEN_BINARY TEST_DATA_DIR
"""

import collections
import ctypes
import ctypes.util
import http.client
import json
import os
import pathlib
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import uuid

import yaml
import zmq

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from node_process import container_number, free_port, wait_for  # noqa: E402

BINARY = None
DATA = None
ROOT = pathlib.Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
ROLES = ["officer", "operator", "manager", "admin"]
# The web server's read timeout (ui-web/server.hpp, ServerOptions::read_timeout).
READ_TIMEOUT_S = 30
SQL_PAYLOADS = ["' OR '1'='1", "'; DROP TABLE users; --", "1 UNION SELECT password_hash FROM users",
                "\" OR \"\"=\"", "%' OR 1=1 --", "1; DELETE FROM containers"]
# Tables the web API writes, and the manifest tables an injection could empty.
WEB_TABLES = ["users", "workflow", "workflow_transitions", "attachments", "scan_regions",
              "scans", "scan_containers", "outcomes", "manual_decisions", "messages",
              "containers", "vessel_calls", "consignments", "watchlist_entries", "rule_sets"]
ATTACH = "POST /api/containers/{container_id}/attachments"
CASES = collections.Counter()



def run(*args, env=None, timeout=120):
    done = subprocess.run([str(BINARY), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise AssertionError(f"portscreen {' '.join(map(str, args))} failed:\n{done.stderr}")
    return done.stdout


def quote(text):
    return urllib.parse.quote(text, safe="")


class Client:
    """One browser: keeps the session cookie and the CSRF token."""

    def __init__(self, port):
        self.port = port
        self.cookie = ""
        self.csrf = ""

    def request(self, method, path, body=None, headers=None, raw=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = dict(headers or {})
        payload = raw
        if body is not None:
            payload = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        if self.cookie:
            sent.setdefault("Cookie", self.cookie)
        if self.csrf and method not in ("GET", "HEAD"):
            sent.setdefault("X-CSRF-Token", self.csrf)
        try:
            if method == "GET" and path == "/api/events":
                # A live stream never ends: its status line and first event are enough.
                connection.request(method, path, headers=sent)
                response = connection.getresponse()
                data = response.readline() if response.status == 200 else response.read()
            else:
                connection.request(method, path, body=payload, headers=sent)
                response = connection.getresponse()
                data = response.read()
            return response.status, dict(response.getheaders()), data
        finally:
            connection.close()

    def json(self, method, path, body=None, **kwargs):
        status, _, data = self.request(method, path, body, **kwargs)
        try:
            return status, json.loads(data) if data else None
        except ValueError:
            return status, data

    def login(self, username, password=PASSWORD, headers=None):
        status, headers, data = self.request(
            "POST", "/api/login", {"username": username, "password": password}, headers=headers)
        if status == 200:
            self.cookie = headers["Set-Cookie"].split(";")[0]
            self.csrf = json.loads(data)["csrf_token"]
        return status, headers, data



def multipart(fields, boundary):
    out = b""
    for name, (filename, content) in fields.items():
        disposition = f'form-data; name="{name}"'
        if filename:
            disposition += f'; filename="{filename}"'
        out += (f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode()
        out += content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


class OpenApi:
    """The operations of docs/openapi.yaml and the roles each permission names."""

    def __init__(self, path):
        self.doc = yaml.safe_load(path.read_text())
        self.roles_of = self.permission_table(self.doc["info"]["description"])
        self.operations = {}
        for template, item in self.doc["paths"].items():
            shared = item.get("parameters", [])
            for method, operation in item.items():
                if method == "parameters":
                    continue
                parameters = [self.resolve(p) for p in shared + operation.get("parameters", [])]
                self.operations[f"{method.upper()} {template}"] = {
                    "permission": operation.get("x-permission", ""),
                    "public": operation.get("security", None) == [],
                    "parameters": parameters,
                    "body_fields": self.body_fields(operation),
                }

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            target = self.doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def body_fields(self, operation):
        content = operation.get("requestBody", {}).get("content", {})
        schema = self.resolve(content.get("application/json", {}).get("schema", {}))
        return {name: self.resolve(spec).get("type", "object")
                for name, spec in schema.get("properties", {}).items()}

    @staticmethod
    def permission_table(description):
        """{permission: set of roles} from the table `| permission | officer | ... |`."""
        lines = [line for line in description.splitlines() if line.startswith("|")]
        header = [cell.strip() for cell in lines[0].strip("|").split("|")]
        roles = header[1:]
        table = {}
        for line in lines[2:]:
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            name = cells[0].split()[0]
            table[name] = {role for role, cell in zip(roles, cells[1:]) if cell == "yes"}
        return table

    def allowed(self, permission):
        """The roles holding `permission` ('none': every role)."""
        if permission == "none":
            return set(ROLES)
        return self.roles_of[permission]


class AbuseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.api = OpenApi(ROOT / "docs/openapi.yaml")
        cls.workdir = tempfile.TemporaryDirectory(prefix="portscreen-abuse-")
        root = pathlib.Path(cls.workdir.name)
        cls.root = root
        cls.data = root / "node"
        # A static folder with a secret beside it: no path may reach the secret.
        static = root / "static"
        (static / "assets").mkdir(parents=True)
        (static / "index.html").write_text("<!doctype html><title>abuse index</title>")
        (static / "assets" / "app.js").write_text("console.log('abuse');")
        (root / "secret.txt").write_text("SECRET-OUTSIDE-THE-STATIC-FOLDER")
        cls.ingest = f"tcp://127.0.0.1:{free_port()}"
        cls.scans = f"tcp://127.0.0.1:{free_port()}"
        cls.share = f"tcp://127.0.0.1:{free_port()}"
        cls.port = free_port()
        run("keys", "generate", "--data", cls.data, "--name", "KEMBA-PCU")
        cls.relay = json.loads(run("keys", "generate", "--data", root / "relay", "--name",
                                   "RELAY-PCU"))
        cls.relay_keys = json.loads((root / "relay" / "keys" / "node.json").read_text())
        cls.node_keys = json.loads((cls.data / "keys" / "node.json").read_text())
        cls.ingest_limit = 64 << 10
        cls.image_limit = 256 << 10
        config = {
            "ingest": {"max_message_bytes": cls.ingest_limit},
            "scans": {"max_image_bytes": cls.image_limit},
            "http": {"static_dir": str(static)},
            "share": {"ports": ["KEMBA"], "peers": [dict(cls.relay, ports=["CNSHA"], send=[])]},
        }
        (root / "node.json").write_text(json.dumps(config))
        cls.log_path = root / "node.log"
        cls.log = open(cls.log_path, "w+")
        cls.node = subprocess.Popen(
            [str(BINARY), "serve", "--data", str(cls.data), "--config", str(root / "node.json"),
             "--ingest", cls.ingest, "--scans", cls.scans, "--share", cls.share,
             "--http", f"127.0.0.1:{cls.port}"], stderr=cls.log)
        try:
            cls.start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start(cls):
        def listening():
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=1).close()
                return True
            except OSError:
                assert cls.node.poll() is None, "the node exited at start"
                return False
        wait_for("the web server", listening, 60)
        for role in ROLES + ["gone"]:
            run("user", "add", "--data", cls.data, "--username", f"{role}1", "--role",
                "officer" if role == "gone" else role, "--name", f"Test {role}",
                env={"PORTSCREEN_PASSWORD": PASSWORD})
        manifest = (DATA / "edifact/synthetic/cuscar_d95b_sea_synthetic.edi").read_bytes()
        reply = cls.ingest_send([b"abuse-manifest-1", b"application/edifact", manifest])
        assert reply and reply[1] == b"ACK", reply
        cls.database = cls.data / "portscreen.db"
        cls.container_id, cls.number, cls.day = cls.query(
            "SELECT c.id, c.number, substr(v.eta, 1, 10) FROM containers c "
            "JOIN vessel_calls v ON v.id = c.vessel_call_id WHERE c.number = 'CSQU3054383'")[0]
        wait_for("scores", lambda: cls.query("SELECT count(*) FROM scores")[0][0] >= 2)
        cls.clients = {}
        for role in ROLES + ["gone"]:
            client = Client(cls.port)
            status, _, data = client.login(f"{role}1")
            assert status == 200, data
            cls.clients[role] = client
        # The disabled user had a session before an administrator disabled the account.
        status, answer = cls.clients["admin"].json("POST", "/api/users/gone1/disable")
        assert status == 200, answer
        cls.clients["disabled"] = cls.clients.pop("gone")
        cls.clients["anonymous"] = Client(cls.port)

    @classmethod
    def tearDownClass(cls):
        if cls.node.poll() is None:
            cls.node.send_signal(signal.SIGTERM)
            try:
                cls.node.wait(timeout=60)
            except subprocess.TimeoutExpired:
                cls.node.kill()
                cls.node.wait()
        cls.log.close()
        cls.workdir.cleanup()

    @classmethod
    def query(cls, sql, *params):
        with sqlite3.connect(f"file:{cls.database}?mode=ro", uri=True, timeout=10) as db:
            return db.execute(sql, params).fetchall()

    @classmethod
    def zmq_exchange(cls, endpoint, frames, wait_ms=30_000, curve=None):
        """Sends one multipart message from a fresh DEALER; the reply, or None."""
        context = zmq.Context.instance()
        dealer = context.socket(zmq.DEALER)
        dealer.setsockopt(zmq.LINGER, 0)
        if curve:
            dealer.curve_serverkey, dealer.curve_publickey, dealer.curve_secretkey = curve
        dealer.connect(endpoint)
        try:
            dealer.send_multipart(frames, copy=False)
            if not dealer.poll(wait_ms):
                return None
            return dealer.recv_multipart()
        finally:
            dealer.close()

    @classmethod
    def ingest_send(cls, frames, wait_ms=30_000):
        return cls.zmq_exchange(cls.ingest, frames, wait_ms)

    def counts(self):
        """Rows per table a web request can write: what a refused or injected request must
        leave as it was. (The scoring and sharing threads write others on their own.)"""
        return {table: self.query(f'SELECT count(*) FROM "{table}"')[0][0] for table in WEB_TABLES}

    def assert_healthy(self):
        self.assertIsNone(self.node.poll(), "the node exited")
        self.assertEqual(self.query("PRAGMA integrity_check"), [("ok",)])
        status, answer = self.clients["officer"].json("GET", "/api/session")
        self.assertEqual(status, 200, answer)

    # -- access ---------------------------------------------------------------------------

    def probes(self):
        """Per operation of the OpenAPI file: [(method, path, body, raw, permission)], each a
        request harmless for an allowed role (it reads, or is refused after the role check by
        validation or a missing item). `permission` overrides the operation's x-permission."""
        cid, day = self.container_id, self.day
        octet = {"Content-Type": "application/octet-stream"}
        boundary = uuid.uuid4().hex
        scan = multipart({"header": (None, b"{}")}, boundary)
        return {
            "POST /api/login": [("POST", "/api/login", {"username": "officer1"}, None, None)],
            "POST /api/logout": [("POST", "/api/logout", None, None, "logout")],
            "GET /api/session": [("GET", "/api/session", None, None, None)],
            "GET /api/events": [("GET", "/api/events", None, None, None)],
            "GET /api/vocabulary": [("GET", "/api/vocabulary", None, None, None)],
            "GET /api/arrivals": [("GET", f"/api/arrivals?day={day}", None, None, None)],
            "GET /api/queue": [("GET", f"/api/queue?day={day}&q=ZZZ", None, None, None)],
            "GET /api/containers/{container_id}": [
                ("GET", f"/api/containers/{cid}", None, None, None)],
            "POST /api/containers/{container_id}/actions": [
                ("POST", f"/api/containers/{cid}/actions",
                 {"action": "release", "reason": ""}, None, "decide"),
                ("POST", f"/api/containers/{cid}/actions", {"action": "clear"}, None,
                 "scan_work")],
            "POST /api/containers/{container_id}/attachments": [
                ("POST", f"/api/containers/{cid}/attachments?filename=", None,
                 (b"x", octet), None)],
            "GET /api/containers/{container_id}/attachments/{attachment_id}": [
                ("GET", f"/api/containers/{cid}/attachments/999999", None, None, None)],
            "GET /api/worklist": [("GET", "/api/worklist", None, None, None)],
            "POST /api/scans": [
                ("POST", "/api/scans", None,
                 (scan, {"Content-Type": f"multipart/form-data; boundary={boundary}"}), None)],
            "GET /api/scans/unmatched": [("GET", "/api/scans/unmatched", None, None, None)],
            "GET /api/scans/{scan_id}": [("GET", "/api/scans/NO-SUCH-SCAN", None, None, None)],
            "POST /api/scans/{scan_id}/link": [
                ("POST", "/api/scans/NO-SUCH-SCAN/link", {"container_number": ""}, None, None)],
            "POST /api/scans/{scan_id}/regions": [
                ("POST", "/api/scans/NO-SUCH-SCAN/regions",
                 {"x": 0, "y": 0, "width": 1, "height": 1, "label": "x"}, None, None)],
            "POST /api/scans/{scan_id}/review": [
                ("POST", "/api/scans/NO-SUCH-SCAN/review", {"decision": "maybe"}, None, None)],
            "GET /api/scans/{scan_id}/{file}": [
                ("GET", "/api/scans/NO-SUCH-SCAN/preview.png", None, None, None)],
            "GET /api/scans/{scan_id}/image_files/{level}/{tile}": [
                ("GET", "/api/scans/NO-SUCH-SCAN/image_files/0/0_0.jpg", None, None, None)],
            "GET /api/stats": [("GET", f"/api/stats?from={day}&to={day}", None, None, None)],
            "GET /api/exports/{file}": [
                ("GET", f"/api/exports/outcomes.csv?from={day}&to={day}", None, None, None)],
            "GET /api/users": [("GET", "/api/users", None, None, None)],
            "POST /api/users": [
                ("POST", "/api/users", {"username": "", "role": "officer"}, None, None)],
            "POST /api/users/{username}/disable": [
                ("POST", "/api/users/nobody/disable", None, None, None)],
            "GET /api/audit": [("GET", "/api/audit?limit=1", None, None, None)],
            "GET /api/audit/verify": [("GET", "/api/audit/verify", None, None, None)],
            "GET /api/sharing/status": [("GET", "/api/sharing/status", None, None, None)],
            "GET /": [("GET", "/", None, None, None)],
            "GET /{path}": [("GET", "/queue", None, None, None)],
        }

    def test_01_every_operation_against_every_role(self):
        probes = self.probes()
        self.assertEqual(sorted(set(self.api.operations) - set(probes)), [],
                         "operations of docs/openapi.yaml without an access probe")
        self.assertEqual(sorted(set(probes) - set(self.api.operations)), [],
                         "probes for operations docs/openapi.yaml no longer has")
        before = self.counts()
        callers = ROLES + ["anonymous", "disabled"]
        for key, operation in sorted(self.api.operations.items()):
            for method, path, body, raw, permission in probes[key]:
                permission = permission or operation["permission"]
                for caller in callers:
                    client = self.clients.get(caller)
                    if permission == "logout" and caller in ROLES:
                        # Logging out ends the session: a session of its own for the probe.
                        client = Client(self.port)
                        self.assertEqual(client.login(f"{caller}1")[0], 200)
                    allowed = (set(ROLES) if permission == "logout"
                               else self.api.allowed(permission))
                    with self.subTest(operation=key, path=path, caller=caller):
                        CASES["access"] += 1
                        payload, headers = raw if raw else (None, None)
                        status, _, data = client.request(method, path, body, raw=payload,
                                                         headers=headers)
                        self.assertLess(status, 500, data[:300])
                        if operation["public"]:
                            self.assertNotIn(status, (401, 403), data[:300])
                        elif caller in ("anonymous", "disabled"):
                            self.assertEqual(status, 401, data[:300])
                        elif caller in allowed:
                            self.assertNotIn(status, (401, 403), data[:300])
                        else:
                            self.assertEqual(status, 403, data[:300])
                            self.assertIn(f"the {caller} role may not", json.loads(data)["error"])
        after = self.counts()
        # Only sessions (the logout probes' logins) and the audit log may have moved.
        self.assertEqual(after, before)
        # The disabled user cannot log in again either; this is one counted failure.
        CASES["access"] += 1
        status, _, data = Client(self.port).login("gone1")
        self.assertEqual(status, 401, data)

    # -- sessions -------------------------------------------------------------------------

    def test_02_session_fixation_expiry_and_cookies(self):
        chosen = "a" * 64
        client = Client(self.port)
        client.cookie = f"portscreen_session={chosen}"
        CASES["session"] += 1
        self.assertEqual(client.json("GET", "/api/session")[0], 401)
        status, headers, data = client.request(
            "POST", "/api/login", {"username": "officer1", "password": PASSWORD})
        self.assertEqual(status, 200, data)
        issued = headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
        CASES["session"] += 1
        self.assertNotEqual(issued, chosen)  # the id the client chose is never adopted
        self.assertRegex(issued, r"^[0-9A-Za-z_-]{32,}$")
        still = Client(self.port)
        still.cookie = f"portscreen_session={chosen}"
        self.assertEqual(still.json("GET", "/api/session")[0], 401)
        # Each login issues its own id and CSRF token; the store keeps only hashes.
        CASES["session"] += 1
        second = Client(self.port)
        self.assertEqual(second.login("officer1")[0], 200)
        first_token = issued
        second_token = second.cookie.split("=", 1)[1]
        self.assertNotEqual(first_token, second_token)
        stored = {row[0] for row in self.query("SELECT token_sha256 FROM sessions")}
        self.assertNotIn(first_token, stored)
        self.assertNotIn(second_token, stored)
        # Cookie flags on login and on the logout that clears it.
        CASES["session"] += 1
        cookie = headers["Set-Cookie"]
        for flag in ("HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(flag, cookie)
        self.assertNotIn("Domain=", cookie)
        # Logout ends the session server-side: the old cookie, replayed, is refused.
        CASES["session"] += 1
        replay = Client(self.port)
        replay.cookie, replay.csrf = second.cookie, second.csrf
        status, headers, _ = second.request("POST", "/api/logout")
        self.assertEqual(status, 200)
        cleared = headers["Set-Cookie"]
        self.assertIn("Max-Age=0", cleared)
        self.assertIn("HttpOnly", cleared)
        self.assertEqual(replay.json("GET", "/api/session")[0], 401)
        self.assertEqual(replay.json("POST", "/api/logout")[0], 401)
        # Idle expiry: a session not seen for longer than the idle limit (30 minutes) ends.
        CASES["session"] += 1
        idle = Client(self.port)
        self.assertEqual(idle.login("manager1")[0], 200)
        self.assertEqual(idle.json("GET", "/api/stats")[0], 200)
        with sqlite3.connect(self.database, timeout=10) as db:
            db.execute("UPDATE sessions SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', "
                       "'-31 minutes') WHERE csrf_token = ?", (idle.csrf,))
        status, answer = idle.json("GET", "/api/stats")
        self.assertEqual(status, 401, answer)
        # A state change on an expired session is refused as well, before anything else.
        CASES["session"] += 1
        status, answer = idle.json("POST", f"/api/containers/{self.container_id}/actions",
                                   {"action": "select", "lane": "red", "reason": "expired"})
        self.assertEqual(status, 401, answer)
        self.assertEqual(self.query("SELECT count(*) FROM workflow WHERE container_id = ?",
                                    self.container_id), [(0,)])
        # A cookie that is not a token (too long, odd bytes) is just "not logged in".
        for value in ["x" * 4000, "%00%00", "' OR '1'='1", chosen + "; portscreen_session=b"]:
            CASES["session"] += 1
            odd = Client(self.port)
            odd.cookie = f"portscreen_session={value}"
            self.assertEqual(odd.json("GET", "/api/session")[0], 401, value)

    # -- CSRF -----------------------------------------------------------------------------

    def test_03_every_state_change_needs_the_csrf_token(self):
        probes = self.probes()
        changing = sorted(key for key, op in self.api.operations.items()
                          if not key.startswith(("GET ", "HEAD ")) and not op["public"])
        self.assertGreaterEqual(len(changing), 8, changing)
        other = Client(self.port)  # a second session: its token is not the officer's
        self.assertEqual(other.login("operator1")[0], 200)
        before = self.counts()
        for key in changing:
            method, path, body, raw, permission = probes[key][0]
            permission = permission or self.api.operations[key]["permission"]
            # A role the operation allows, so that only the token stands in the way.
            allowed = self.api.allowed("none" if permission == "logout" else permission)
            client = self.clients[next(role for role in ROLES if role in allowed)]
            payload, headers = raw if raw else (None, {})
            for case, extra in [("missing", {"X-CSRF-Token": ""}),
                                ("wrong", {"X-CSRF-Token": "0" * 64}),
                                ("short", {"X-CSRF-Token": client.csrf[:-1]}),
                                ("another session's", {"X-CSRF-Token": other.csrf}),
                                ("foreign origin", {"X-CSRF-Token": "",
                                                    "Origin": "http://evil.example"})]:
                with self.subTest(operation=key, case=case):
                    CASES["csrf"] += 1
                    status, _, data = client.request(method, path, body, raw=payload,
                                                     headers={**(headers or {}), **extra})
                    self.assertEqual(status, 403, data[:300])
                    self.assertIn("CSRF", json.loads(data)["error"])
        self.assertEqual(self.counts(), before)
        # Every role's session still works: a refused logout ended nothing.
        for role in ROLES:
            self.assertEqual(self.clients[role].json("GET", "/api/session")[0], 200)

    # -- traversal ------------------------------------------------------------------------

    def traversal_variants(self, target):
        """Ways to write "../../<target>" that a decoder or a filesystem may take for it."""
        return [f"../../{target}", f"..%2f..%2f{target}", f"%2e%2e%2f%2e%2e%2f{target}",
                f"%2e%2e/%2e%2e/{target}", f"..%252f..%252f{target}",
                f"%252e%252e%252f{target}", f"..\\..\\{target}", f"..%5c..%5c{target}",
                f"%2e%2e%5c{target}", f"..%c0%af..%c0%af{target}", f"....//....//{target}",
                f"..%00/{target}", f"{target}%00.png", "%00", f"..;/..;/{target}",
                "%2e%2e%2f" * 12 + target, "/" + target]

    def assert_nothing_leaked(self, status, data, where):
        self.assertLess(status, 500, f"{where}: {data[:200]}")
        for secret in (b"SECRET-OUTSIDE", b"SQLite format", b"root:x:", b"curve_secret",
                       b"sign_secret"):
            self.assertNotIn(secret, data, where)

    def test_04_no_path_leaves_its_folder(self):
        officer = self.clients["officer"]
        targets = ["secret.txt", "node/portscreen.db", "node/keys/node.json", "etc/passwd"]
        for target in targets:
            for variant in self.traversal_variants(target):
                paths = [f"/{variant}", f"/assets/{variant}"]
                # Every path parameter of the API, one at a time.
                paths += [f"/api/containers/{variant}", f"/api/containers/{variant}/actions",
                          f"/api/containers/{self.container_id}/attachments/{variant}",
                          f"/api/scans/{variant}", f"/api/scans/{variant}/preview.png",
                          f"/api/scans/X/{variant}", f"/api/scans/X/image_files/{variant}/0_0.jpg",
                          f"/api/scans/X/image_files/0/{variant}", f"/api/exports/{variant}",
                          f"/api/users/{variant}/disable"]
                for path in paths:
                    with self.subTest(path=path):
                        CASES["traversal"] += 1
                        method = "POST" if path.endswith(("/disable", "/actions")) else "GET"
                        client = (self.clients["admin"] if "/users/" in path else
                                  self.clients["manager"] if "/exports/" in path else officer)
                        try:
                            status, _, data = client.request(method, path, {} if method == "POST"
                                                             else None)
                        except http.client.InvalidURL:
                            continue  # the client library refuses to send it
                        self.assert_nothing_leaked(status, data, path)
                        if path.startswith("/api/"):
                            self.assertIn(status, (400, 404, 405), f"{path}: {data[:200]}")
                        elif status == 200:  # the app's own routes load index.html
                            self.assertIn(b"abuse index", data, path)
        # A raw request line, which http.client would not send: spaces, NUL, absolute form.
        for line in [b"GET /../secret.txt HTTP/1.1", b"GET /%2e%2e/secret.txt HTTP/1.1",
                     b"GET /a\x00/../../secret.txt HTTP/1.1",
                     b"GET http://127.0.0.1/../secret.txt HTTP/1.1",
                     b"GET ../secret.txt HTTP/1.1", b"GET /..\\secret.txt HTTP/1.1"]:
            CASES["traversal"] += 1
            answer = self.raw_exchange(line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            self.assert_nothing_leaked(0, answer, line.decode(errors="replace"))
        self.assert_healthy()

    def raw_exchange(self, data, timeout=20):
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(data)
            received = b""
            try:
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    received += chunk
            except (ConnectionResetError, socket.timeout):
                pass
            return received

    # -- SQL injection --------------------------------------------------------------------

    def test_05_sql_injection_through_every_parameter(self):
        before = self.counts()
        canary = self.query("SELECT id, number, size_type FROM containers ORDER BY id")
        users_before = self.query("SELECT id, username, role, password_hash FROM users")
        secrets = [row[3] for row in users_before] + [
            row[0] for row in self.query("SELECT token_sha256 FROM sessions")]
        probes = self.probes()
        created_users = attached = 0
        for key, operation in sorted(self.api.operations.items()):
            if key in ("POST /api/logout", "GET /api/events"):
                continue  # no parameters
            method, path, body, raw, permission = probes[key][0]
            permission = permission or operation["permission"]
            roles = [r for r in ROLES if r in self.api.allowed(permission)]
            client = self.clients[roles[0]] if roles else self.clients["officer"]
            if key == "POST /api/login":
                client = Client(self.port)
            base_path, _, base_query = path.partition("?")
            base_params = dict(urllib.parse.parse_qsl(base_query, keep_blank_values=True))
            template = key.split(" ", 1)[1]
            for parameter in operation["parameters"]:
                name, where = parameter["name"], parameter["in"]
                honest = self.honest_rows(client, method, base_path, base_params, name, where,
                                          template, body, raw)
                for payload in SQL_PAYLOADS:
                    CASES["sqli"] += 1
                    if where == "path":
                        target = self.fill_path(template, base_path, name, quote(payload))
                        query = base_params
                    else:
                        target, query = base_path, {**base_params, name: payload}
                    url = target + ("?" + urllib.parse.urlencode(query) if query else "")
                    payload_body, headers = raw if raw else (None, None)
                    status, _, data = client.request(method, url, body, raw=payload_body,
                                                     headers=headers)
                    self.check_injected(key, name, payload, status, data, honest, secrets)
                    # An attachment named by the payload is stored honestly, under that name.
                    attached += key == ATTACH and status == 200
            for field, kind in operation["body_fields"].items():
                # Logins with an injected user name fail, and failures are throttled per
                # address: two are enough there.
                for payload in SQL_PAYLOADS[:2] if key == "POST /api/login" else SQL_PAYLOADS:
                    CASES["sqli"] += 1
                    sent = dict(body or {})
                    sent[field] = payload
                    if key == "POST /api/users":
                        # A valid account whose one field carries the payload: it is created,
                        # and must be stored as the literal text.
                        sent = {"username": f"sqli{CASES['sqli']}", "role": "officer",
                                "display_name": "Injection Probe", "password": PASSWORD,
                                field: payload}
                    if key == "POST /api/containers/{container_id}/actions":
                        sent = {"action": "select", "lane": "yellow", "reason": "probe",
                                field: payload}
                    if key == "POST /api/login":
                        sent = {"username": "officer1", "password": PASSWORD, field: payload}
                        if field == "password":
                            continue  # a wrong password counts towards throttling
                    status, _, data = client.request(method, path, sent)
                    self.check_injected(key, field, payload, status, data, None, secrets)
                    if key == "POST /api/users" and status == 200:
                        created_users += 1
                        stored = self.query("SELECT username, display_name FROM users "
                                            "WHERE username = ?", sent["username"])
                        self.assertEqual(stored, [(sent["username"], sent["display_name"])])
        after = self.counts()
        self.assertEqual(self.query("PRAGMA integrity_check"), [("ok",)])
        self.assertEqual(self.query("SELECT id, number, size_type FROM containers ORDER BY id"),
                         canary)
        self.assertEqual(self.query("SELECT id, username, role, password_hash FROM users "
                                    f"WHERE id <= {max(r[0] for r in users_before)}"),
                         users_before)
        self.assertEqual(after["users"], before["users"] + created_users)
        self.assertEqual(after["attachments"], before["attachments"] + attached)
        names = {name for (name,) in self.query("SELECT filename FROM attachments")}
        self.assertLessEqual(names, set(SQL_PAYLOADS))
        # The select with an injected reason may have moved the container once, honestly.
        moved = {"workflow", "workflow_transitions", "users", "attachments"}
        for table in WEB_TABLES:
            if table not in moved:
                self.assertEqual(after[table], before[table], table)
        reasons = [r for (r,) in self.query("SELECT reason FROM workflow_transitions")]
        self.assertTrue(all(r in SQL_PAYLOADS + ["probe"] for r in reasons), reasons)
        self.assert_healthy()

    def test_05b_hostile_values_and_wrong_types(self):
        """Numbers at and past their limits, invalid UTF-8 and NUL through every path and query
        parameter; every JSON body field with a value of each wrong type. 4xx or a normal
        answer, never 5xx, nothing written by a refused request."""
        values = ["-1", "18446744073709551615", "18446744073709551616", "9" * 40, "1e309",
                  "nan", "-inf", "0x10", "", "%ff%fe", "%c0%af", "%00", "a%00b", "%e2%80%ae"]
        probes = self.probes()
        before = self.counts()
        attached = 0
        for key, operation in sorted(self.api.operations.items()):
            if key in ("POST /api/logout", "GET /api/events", "POST /api/login", "GET /"):
                continue
            method, path, body, raw, permission = probes[key][0]
            permission = permission or operation["permission"]
            client = self.clients[next(r for r in ROLES if r in self.api.allowed(permission))]
            base_path, _, base_query = path.partition("?")
            base_params = dict(urllib.parse.parse_qsl(base_query, keep_blank_values=True))
            template = key.split(" ", 1)[1]
            for parameter in operation["parameters"]:
                name, where = parameter["name"], parameter["in"]
                for value in values:
                    CASES["params"] += 1
                    if where == "path":
                        url = self.fill_path(template, base_path, name, value or "%20")
                        query = urllib.parse.urlencode(base_params)
                    else:
                        url = base_path
                        query = "&".join([f"{k}={quote(v)}" for k, v in base_params.items()
                                          if k != name] + [f"{name}={value}"])
                    url += "?" + query if query else ""
                    payload, headers = raw if raw else (None, None)
                    status, _, data = client.request(method, url, body, raw=payload,
                                                     headers=headers)
                    self.assertLess(status, 500, f"{key} {name}={value!r}: {data[:300]}")
                    attached += key == ATTACH and status == 200
            for field, kind in operation["body_fields"].items():
                for wrong in [None, True, 12345678901234567890, -1, 1.5e308, "text", [], {},
                              ["a"], {"a": 1}, b"invalid UTF-8"]:
                    if self.json_type(wrong) == kind:
                        continue  # a value of the right type: not this probe's business
                    CASES["types"] += 1
                    sent = dict(body or {})
                    if key == "POST /api/users":
                        sent = {"username": "typeprobe", "role": "nobody", "password": PASSWORD}
                    if isinstance(wrong, bytes):  # invalid UTF-8 inside a JSON string
                        encoded = json.dumps({**sent, field: "@@"}).encode().replace(
                            b"@@", b"\xff\xfe")
                        status, _, data = client.request(
                            method, path, raw=encoded,
                            headers={"Content-Type": "application/json"})
                    else:
                        sent[field] = wrong
                        status, _, data = client.request(method, path, sent)
                    self.assertLess(status, 500, f"{key} {field}={wrong!r}: {data[:300]}")
        # The unfiltered queue is a slice of the ranked rows: offsets whose sum with the limit
        # passes the largest number must not wrap around to a slice that ends before it starts.
        manager = self.clients["manager"]
        for query in ["offset=-1&limit=1", "offset=18446744073709551615&limit=1",
                      "offset=18446744073709551614&limit=3", "offset=-1", "limit=0&offset=1"]:
            CASES["params"] += 1
            status, answer = manager.json("GET", f"/api/queue?day={self.day}&{query}")
            self.assertLess(status, 500, f"{query}: {answer}")
            if status == 200:
                self.assertLessEqual(len(answer["rows"]), answer["total"], query)
        # An attachment whose file name is not UTF-8: stored or refused, never a page that
        # cannot be shown afterwards.
        CASES["params"] += 1
        officer = self.clients["officer"]
        status, _, data = officer.request(
            "POST", f"/api/containers/{self.container_id}/attachments?filename=%ff%fe.txt",
            raw=b"note", headers={"Content-Type": "text/plain"})
        self.assertLess(status, 500, data[:300])
        attached += status == 200
        status, _, data = officer.request("GET", f"/api/containers/{self.container_id}")
        self.assertEqual(status, 200, data[:300])
        after = self.counts()
        self.assertEqual(after["attachments"] - before["attachments"], attached)
        self.assertEqual({k: v for k, v in after.items() if k != "attachments"},
                         {k: v for k, v in before.items() if k != "attachments"})
        self.assert_healthy()

    @staticmethod
    def json_type(value):
        if isinstance(value, bool):
            return "boolean"
        if isinstance(value, int):
            return "integer"
        return {float: "number", str: "string", list: "array", dict: "object"}.get(
            type(value), "other")

    @staticmethod
    def fill_path(template, base_path, name, value):
        """base_path with the segment where template has {name} replaced by value."""
        names = template.split("/")
        parts = base_path.split("/")
        return "/".join(value if t == "{" + name + "}" else p for t, p in zip(names, parts))

    def honest_rows(self, client, method, base_path, base_params, name, where, template, body,
                    raw):
        """Rows an honest value that matches nothing returns; None when not a list answer."""
        if method != "GET" or where != "query":
            return None
        status, answer = client.json(method, base_path + "?" + urllib.parse.urlencode(
            {**base_params, name: "NOMATCHZZZ"}))
        if status != 200:
            return None
        return self.row_count(answer)

    @staticmethod
    def row_count(answer):
        if isinstance(answer, dict):
            for value in answer.values():
                if isinstance(value, list):
                    return len(value)
        return None

    def check_injected(self, key, name, payload, status, data, honest, secrets):
        where = f"{key} {name}={payload!r}"
        self.assertLess(status, 500, f"{where}: {data[:300]}")
        for secret in secrets:
            self.assertNotIn(secret.encode(), data, where)
        self.assertNotIn(b"$argon2", data, where)
        self.assertNotIn(b"syntax error", data.lower(), where)  # SQLite's words leak SQL
        if honest is not None and status == 200:
            try:
                rows = self.row_count(json.loads(data))
            except ValueError:
                rows = None
            if rows is not None:
                self.assertLessEqual(rows, honest, f"{where}: more rows than an honest search")

    # -- HTTP limits and slow clients -----------------------------------------------------

    def served(self):
        """Whether a normal client gets its answer at all within the read timeout."""
        try:
            status, _ = self.clients["officer"].json("GET", "/api/session")
            return status == 200
        except OSError:
            return False

    def test_06_oversized_requests(self):
        before = self.counts()
        officer = self.clients["officer"]
        cookie = officer.cookie.encode()
        token = officer.csrf.encode()
        action = f"/api/containers/{self.container_id}/actions".encode()
        cases = {
            # headers over the 16 KiB limit, one long and many short
            "huge header": b"GET /api/session HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 +
            b"\r\nCookie: " + cookie + b"\r\n\r\n",
            "many headers": b"GET /api/session HTTP/1.1\r\nHost: x\r\n" +
            b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\n",
            "huge cookie": b"GET /api/session HTTP/1.1\r\nHost: x\r\nCookie: " + b"c" * 40000 +
            b"\r\n\r\n",
            "huge request line": b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            # a declared body far over the limit, none of it sent
            "declared 10 GB": b"POST " + action + b" HTTP/1.1\r\nHost: x\r\nCookie: " + cookie +
            b"\r\nX-CSRF-Token: " + token +
            b"\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n",
            "declared 200 MiB upload": b"POST /api/scans HTTP/1.1\r\nHost: x\r\nCookie: " +
            cookie + b"\r\nX-CSRF-Token: " + token + b"\r\nContent-Type: multipart/form-data; "
            b"boundary=b\r\nContent-Length: 209715200\r\n\r\n",
            "content-length overflow": b"POST " + action + b" HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: 99999999999999999999999\r\n\r\n",
            "negative content-length": b"POST " + action + b" HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: -1\r\n\r\n",
            "two content-lengths": b"POST " + action + b" HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: 5\r\nContent-Length: 500\r\n\r\nhello",
            # a chunked body over the limit (no Content-Length)
            "chunked 2 MiB": b"POST " + action + b" HTTP/1.1\r\nHost: x\r\nCookie: " + cookie +
            b"\r\nX-CSRF-Token: " + token + b"\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + (b"10000\r\n" + b"x" * 0x10000 + b"\r\n") * 32 +
            b"0\r\n\r\n",
            "chunk size overflow": b"POST " + action + b" HTTP/1.1\r\nHost: x\r\n"
            b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nx\r\n",
            "garbage": bytes(range(256)) * 64,
        }
        for name, request in cases.items():
            with self.subTest(case=name):
                CASES["http limits"] += 1
                answer = self.raw_exchange(request)
                status = int(answer[9:12]) if answer.startswith(b"HTTP/1.1 ") else 0
                # Refused with 4xx, or the connection closed without an answer; never 2xx or 5xx.
                self.assertTrue(status == 0 or 400 <= status < 500, f"{name}: {answer[:200]}")
                if name.startswith(("declared", "chunked 2")):
                    self.assertEqual(status, 413, f"{name}: {answer[:200]}")
                self.assertTrue(self.served(), f"not serving after {name}")
        self.assertEqual(self.counts(), before)
        self.assert_healthy()

    def test_07_slow_clients_neither_starve_the_server_nor_stay(self):
        """Slowloris: many connections trickle their headers; one trickles a body that never
        ends; one keeps sending after a 413. A normal client is served meanwhile, and the
        server closes each slow connection after its read timeout."""
        officer = self.clients["officer"]
        before = self.counts()
        slow, started = [], time.monotonic()

        def open_slow(count, first):
            for _ in range(count):
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                sock.setblocking(False)
                try:
                    sock.send(first)
                except OSError:
                    pass  # closed at once: over the connection limit
                slow.append(sock)

        head = b"GET /api/session HTTP/1.1\r\nHost: x\r\n"
        open_slow(256, head)
        CASES["slow"] += 256
        body_head = (f"POST /api/containers/{self.container_id}/actions HTTP/1.1\r\nHost: x\r\n"
                     f"Cookie: {officer.cookie}\r\nX-CSRF-Token: {officer.csrf}\r\n"
                     "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "1\r\n{\r\n").encode()
        open_slow(1, body_head)
        CASES["slow"] += 1
        refused = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        refused.sendall(body_head.replace(b"Transfer-Encoding: chunked",
                                          b"Content-Length: 1000000000")[:-6])
        CASES["slow"] += 1
        answer = refused.recv(4096)
        self.assertTrue(answer.startswith(b"HTTP/1.1 413"), answer[:100])
        refused.setblocking(False)
        slow.append(refused)
        trickles = [b"X-a: b\r\n"] * len(slow)
        trickles[256] = b"1\r\n \r\n"
        trickles[257] = b"x" * 100

        served_during = self.served()
        # How many slow connections does it take to keep a normal client out? The server
        # holds at most 1,024 (ui-web/server.hpp): beyond that new connections are closed.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        extra = 1024 - 256 if hard == resource.RLIM_INFINITY or hard >= 1200 else 0
        if extra and soft != resource.RLIM_INFINITY and soft < 1200:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
        open_slow(extra, head)
        trickles += [b"X-a: b\r\n"] * extra
        CASES["slow"] += extra
        # At the limit the connection that waited longest for its header makes room.
        served_at_limit = self.served()
        open_at = {}
        deadline = started + READ_TIMEOUT_S + 20
        while len(open_at) < len(slow) and time.monotonic() < deadline:
            for index, sock in enumerate(slow):
                if index in open_at:
                    continue
                # Closed means closed for reading too: a send fails (the server may first
                # shut down its sending side only, as after the 413).
                try:
                    sock.send(trickles[index])
                    while sock.recv(65536):  # an answer (the 413): read past it
                        pass
                except BlockingIOError:
                    pass  # open, nothing to read
                except OSError:
                    open_at[index] = time.monotonic() - started
            time.sleep(1)
        for sock in slow:
            sock.close()
        still_open = [i for i in range(len(slow)) if i not in open_at]
        print(f"slow clients: {len(slow)} connections; normal client served with 256 open: "
              f"{served_during}, with {len(slow)} open: {served_at_limit}; closed by the server "
              f"after {min(open_at.values(), default=0):.0f} to "
              f"{max(open_at.values(), default=0):.0f} s (the one refused with 413 and still "
              f"sending: {open_at.get(257, -1):.0f} s); still open: {len(still_open)}",
              file=sys.stderr)
        self.assertTrue(served_during, "256 slow connections kept a normal client out")
        self.assertTrue(served_at_limit, f"{len(slow)} slow connections kept a normal client out")
        self.assertEqual(still_open, [], "slow connections the server did not close")
        self.assertTrue(self.served(), "not serving after the slow clients")
        self.assertEqual(self.counts(), before)

    # -- ZeroMQ ---------------------------------------------------------------------------

    def test_08_ingest_endpoint_survives_bad_messages(self):
        stored = self.query("SELECT count(*) FROM messages")[0][0]
        limit = self.ingest_limit
        cases = {
            "frame over twice the limit": ([b"big-1", b"application/json", b"x" * (4 * limit)],
                                           None),
            "payload over the limit": ([b"big-2", b"application/json", b"{" * (limit + 10)],
                                       b"too-large"),
            "20,000 frames": ([b"many-1", b"application/json"] + [b"x"] * 20000, b"frames"),
            "two frames": ([b"two-1", b"application/json"], b"frames"),
            "one frame": ([b"lonely"], b"frames"),
            "empty delimiter first": ([b"", b"d-1", b"application/json", b"{}"], b"frames"),
            "empty message-id": ([b"", b"application/json", b"{}"], b"message-id"),
            "message-id of 300 bytes": ([b"m" * 300, b"application/json", b"{}"],
                                        b"message-id"),
            "unknown content-type": ([b"ct-1", b"text/html", b"<html>"], b"content-type"),
            "content-type of 100 KiB": ([b"ct-2", b"a" * (100 << 10), b"{}"], None),
            "binary payload as JSON": ([b"bin-1", b"application/json", bytes(range(256))],
                                       b"NACK"),
            "binary payload as EDIFACT": ([b"bin-2", b"application/edifact", bytes(range(256))],
                                          b"NACK"),
            "empty payload": ([b"empty-1", b"application/json", b""], b"NACK"),
            "deeply nested JSON": ([b"deep-1", b"application/json", b"[" * 20000 + b"]" * 20000],
                                   b"NACK"),
        }
        for name, (frames, expected) in cases.items():
            with self.subTest(case=name):
                CASES["zeromq"] += 1
                reply = self.ingest_send(frames, wait_ms=3000 if expected is None else 30_000)
                if expected is None:
                    # Dropped before it is read, or refused: never stored.
                    self.assertTrue(reply is None or reply[1] == b"NACK", reply)
                else:
                    self.assertIsNotNone(reply, f"{name}: no answer")
                    self.assertEqual(reply[-2] if len(reply) >= 2 else None, b"NACK", reply)
                    if expected != b"NACK":
                        self.assertIn(expected, reply[-1], reply)
                # The node keeps serving: a valid message right after gets its ACK.
                json_manifest = self.json_manifest(f"ABUSE{CASES['zeromq']:03d}")
                reply = self.ingest_send([f"valid-after-{CASES['zeromq']}".encode(),
                                          b"application/json", json_manifest])
                self.assertIsNotNone(reply, f"no ACK after {name}")
                self.assertEqual(reply[1], b"ACK", reply[2][:300])
        self.assertEqual(self.query("SELECT count(*) FROM messages")[0][0],
                         stored + len(cases))
        self.assert_healthy()

    def json_manifest(self, document, eta=None):
        number = container_number("ABU", int(document[-3:]))
        return json.dumps({
            "format": "portscreen.manifest", "format_version": 1, "document_number": document,
            "issued_at": "2026-01-01T00:00:00Z", "sender": "TSTL",
            "vessel_call": {"imo": "9472153", "voyage": f"V{document[-3:]}",
                            "vessel_name": "NORTH STAR", "port_of_call": "KEMBA",
                            "eta": eta or f"{self.day}T06:00:00Z"},
            "containers": [{"number": number, "size_type": "42G1", "load": "full",
                            "gross_mass_kg": 18000, "tare_mass_kg": 3800}],
            "consignments": [{
                "master_bl": f"{document}-1", "port_of_loading": "CNSHA",
                "port_of_discharge": "KEMBA", "consignee": {"name": "Probe Ltd", "country": "KE"},
                "goods_items": [{"item_number": 1, "hs_code": "940360", "description": "chairs",
                                 "packages": 10, "gross_mass_kg": 14000,
                                 "placements": [{"container_number": number}]}]}],
        }).encode()

    def test_09_scan_endpoint_survives_bad_messages(self):
        stored = self.query("SELECT count(*) FROM scans")[0][0]
        high = (DATA / "xray/synthetic_high.png").read_bytes()
        low = (DATA / "xray/synthetic_low.png").read_bytes()

        def header(scan_id, **changes):
            value = {"scan_id": scan_id, "scanner_id": "GATE-1", "containers": [self.number],
                     "scanned_at": f"{self.day}T08:00:00Z", "view": "side",
                     "energies_mev": {"high": 6.0, "low": 4.0}, "air_value": 60000,
                     "pixel_spacing_mm": {"along_scan": 5.0, "detector": 5.0},
                     "images": [{"channel": "high", "format": "png", "width": 512,
                                 "height": 128},
                                {"channel": "low", "format": "png", "width": 512,
                                 "height": 128}]}
            value.update(changes)
            return json.dumps(value).encode()

        big = self.image_limit
        cases = {
            "frame over the drop limit": [header("S-BIG-1"), b"\0" * (2 * big + (2 << 20)), low],
            "image over max_image_bytes": [header("S-BIG-2"), b"\0" * (big + 1), low],
            "5,000 frames": [header("S-MANY-1")] + [b"x"] * 5000,
            "header only": [header("S-HEAD-1")],
            "header not JSON": [b"{not json", high, low],
            "header a JSON array": [b"[]", high, low],
            "header of 200 KiB": [b'{"scan_id":"' + b"A" * (200 << 10) + b'"}', high, low],
            "header with a bad scan id": [header("../../etc/passwd"), high, low],
            "header with an injected scan id": [header("S' OR '1'='1"), high, low],
            "a pixel bomb": [header("S-BOMB-1", images=[
                {"channel": "high", "format": "png", "width": 1000000, "height": 1000000},
                {"channel": "low", "format": "png", "width": 512, "height": 128}]), high, low],
            "corrupt PNG": [header("S-BAD-1"), high[:200] + b"\0" * 500 + high[700:], low],
            "truncated PNG": [header("S-BAD-2"), high[: len(high) // 2], low],
            "raw of the wrong size": [header("S-BAD-3", images=[
                {"channel": "single", "format": "raw", "width": 100, "height": 100}],
                energies_mev={"high": 6.0}), b"\0" * 1234],
            "empty frames": [b"", b"", b""],
        }
        for name, frames in cases.items():
            with self.subTest(case=name):
                CASES["zeromq"] += 1
                dropped = name == "frame over the drop limit"
                reply = self.zmq_exchange(self.scans, frames, 3000 if dropped else 60_000)
                if dropped:
                    self.assertTrue(reply is None or reply[-2] == b"NACK", reply)
                else:
                    self.assertIsNotNone(reply, f"{name}: no answer")
                    self.assertEqual(reply[-2], b"NACK", reply)
        # Still serving: a valid scan is stored and ACKed.
        CASES["zeromq"] += 1
        reply = self.zmq_exchange(self.scans, [header("S-VALID-1"), high, low], 120_000)
        self.assertIsNotNone(reply, "no answer to a valid scan")
        self.assertEqual(reply[-2], b"ACK", reply)
        self.assertEqual(self.query("SELECT count(*) FROM scans")[0][0], stored + 1)
        self.assert_healthy()

    # -- sharing --------------------------------------------------------------------------

    def relay_dealer(self, context):
        dealer = context.socket(zmq.DEALER)
        dealer.setsockopt(zmq.LINGER, 0)
        dealer.curve_serverkey = self.node_keys["curve_public"].encode()
        dealer.curve_publickey = self.relay_keys["curve_public"].encode()
        dealer.curve_secretkey = self.relay_keys["curve_secret"].encode()
        dealer.connect(self.share)
        return dealer

    def relay_call(self, dealer, frames):
        dealer.send_multipart(frames)
        self.assertTrue(dealer.poll(30_000), f"no answer to {frames[0]!r}")
        return dealer.recv_multipart()

    def signed(self, seq, body, kind="alert"):
        """An envelope from the relay, signed with its key as docs/protocols.md says."""
        envelope = json.dumps({
            "v": 1, "id": f"RELAY-PCU:{seq}", "origin": "RELAY-PCU", "seq": seq, "kind": kind,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "to": "",
            "ports": ["KEMBA"], "personal": False, "body": body},
            separators=(",", ":"), sort_keys=True).encode()
        sodium = ctypes.CDLL(ctypes.util.find_library("sodium") or "libsodium.so.23")
        assert sodium.sodium_init() >= 0
        secret = bytes.fromhex(self.relay_keys["sign_secret"])
        signature = ctypes.create_string_buffer(64)
        assert sodium.crypto_sign_detached(signature, None, envelope,
                                           ctypes.c_ulonglong(len(envelope)), secret) == 0
        return envelope, signature.raw

    def alert_state(self, number):
        rows = self.query("SELECT s.score, s.factors FROM scores s JOIN containers c "
                          "ON c.id = s.container_id WHERE c.number = ?", number)
        score, factors = rows[0][0], json.loads(rows[0][1])
        alerts = [f for f in factors if f["kind"] == "alert"]
        return (score, len(alerts),
                self.query("SELECT count(*) FROM shared_alerts WHERE container = ?", number)[0][0],
                sum(f.get("points", 0) for f in alerts))

    def test_10_replayed_sharing_messages_apply_once(self):
        # Alerts count for calls still open: a call arriving today, whose box the relay warns
        # about.
        today = time.strftime("%Y-%m-%d", time.gmtime())
        reply = self.ingest_send([b"abuse-open-call", b"application/json",
                                  self.json_manifest("OPEN900", f"{today}T18:00:00Z")])
        self.assertEqual(reply[1], b"ACK", reply)
        number = container_number("ABU", 900)
        wait_for("the open call's score", lambda: self.query(
            "SELECT count(*) FROM scores s JOIN containers c ON c.id = s.container_id "
            "WHERE c.number = ?", number)[0][0] == 1)
        before = self.alert_state(number)
        self.assertEqual(before[1:], (0, 0, 0))
        body = {"container": number, "port_of_call": "CNSHA", "score": 90,
                "reason": "dense load declared as chairs", "route": ["CNSHA", "KEMBA"]}
        first = self.signed(1, body)
        context = zmq.Context.instance()
        dealer = self.relay_dealer(context)
        try:
            verb, last = self.relay_call(dealer, [b"HELLO"])
            self.assertEqual(verb, b"ACK")
            last = int(last)
            verb, acked = self.relay_call(dealer, [b"BATCH", str(last + 1).encode(), *first])
            self.assertEqual((verb, int(acked)), (b"ACK", last + 1))
            try:
                applied = wait_for("the alert to raise the score", lambda: (
                    lambda s: s if s[1] == 1 and s[0] > before[0] else None)(
                        self.alert_state(number)), 60)
            except AssertionError as error:
                raise AssertionError(f"{error}: {before} -> {self.alert_state(number)}; "
                                     f"refused: {self.query('SELECT reason FROM share_refused')}"
                                     ) from None
            self.assertEqual(applied[2], 1)
            inbox = self.query("SELECT count(*) FROM share_inbox")[0][0]
            # The same message under a new link number (it came another way).
            CASES["sharing"] += 1
            verb, acked = self.relay_call(dealer, [b"BATCH", str(last + 2).encode(), *first])
            self.assertEqual((verb, int(acked)), (b"ACK", last + 2))
            # The old batch again, as a sender that missed the ACK would.
            CASES["sharing"] += 1
            verb, acked = self.relay_call(dealer, [b"BATCH", str(last + 1).encode(), *first])
            self.assertEqual((verb, int(acked)), (b"ACK", last + 2))
            # The same global id with another body and a valid signature.
            CASES["sharing"] += 1
            changed = self.signed(1, dict(body, score=100, reason="changed on replay"))
            verb, acked = self.relay_call(dealer, [b"BATCH", str(last + 3).encode(), *changed])
            self.assertEqual((verb, int(acked)), (b"ACK", last + 3))
            # A batch holding the message three times, under three new numbers.
            CASES["sharing"] += 1
            frames = [b"BATCH"]
            for offset in (4, 5, 6):
                frames += [str(last + offset).encode(), *first]
            verb, acked = self.relay_call(dealer, frames)
            self.assertEqual((verb, int(acked)), (b"ACK", last + 6))
            # A number far ahead is a gap, not a skip.
            CASES["sharing"] += 1
            second = self.signed(2, dict(body, reason="second alert"))
            verb, acked = self.relay_call(dealer, [b"BATCH", str(last + 100).encode(), *second])
            self.assertEqual((verb, int(acked)), (b"GAP", last + 6))
            # Frames over the receiver's limit (1 MiB) drop the connection; the link recovers.
            CASES["sharing"] += 1
            dealer.send_multipart([b"BATCH", str(last + 7).encode(), b"x" * (2 << 20),
                                   bytes(64)])
            self.assertEqual(dealer.poll(3000), 0, "an oversized frame was answered")
        finally:
            dealer.close()
        dealer = self.relay_dealer(context)
        try:
            CASES["sharing"] += 1
            verb, now_last = self.relay_call(dealer, [b"HELLO"])
            self.assertEqual((verb, int(now_last)), (b"ACK", last + 6))
            # Malformed requests: link numbers that are not numbers, a batch without its
            # message, an unknown verb, an envelope that does not parse, too many messages.
            for frames in ([b"BATCH", b"not-a-number", *first], [b"BATCH", b"-5", *first],
                           [b"BATCH", str(last + 7).encode()], [b"RESET"],
                           [b"BATCH", str(last + 7).encode(), b"{}", bytes(64)],
                           # over the 2,000 messages a batch may hold
                           [b"BATCH"] + [str(last + 7).encode(), *first] * 2001):
                CASES["sharing"] += 1
                dealer.send_multipart(frames)
                if dealer.poll(3000):
                    dealer.recv_multipart()
            verb, now_last = self.relay_call(dealer, [b"HELLO"])
            self.assertEqual(verb, b"ACK")
            # A new alert on another box of an open call: the rescore it causes comes after
            # every replay above, so a replay applied twice would show in the score by then.
            scored_at = self.query("SELECT s.scored_at FROM scores s JOIN containers c ON "
                                   "c.id = s.container_id WHERE c.number = ?", number)[0][0]
            other = container_number("ABU", 901)
            reply = self.ingest_send([b"abuse-open-call-2", b"application/json",
                                      self.json_manifest("OPEN901", f"{today}T19:00:00Z")])
            self.assertEqual(reply[1], b"ACK", reply)
            wait_for("the second open call's score", lambda: self.query(
                "SELECT count(*) FROM scores s JOIN containers c ON c.id = s.container_id "
                "WHERE c.number = ?", other)[0][0] == 1)
            fresh = self.signed(2, dict(body, container=other))
            verb, acked = self.relay_call(
                dealer, [b"BATCH", str(int(now_last) + 1).encode(), *fresh])
            self.assertEqual((verb, int(acked)), (b"ACK", int(now_last) + 1))
        finally:
            dealer.close()
        wait_for("the rescore after the replays", lambda: self.alert_state(other)[1] == 1 and
                 self.query("SELECT s.scored_at FROM scores s JOIN containers c ON "
                            "c.id = s.container_id WHERE c.number = ?", number)[0][0] != scored_at,
                 60)
        # The other factors may move with the new call (party history); the alert's may not.
        self.assertEqual(self.alert_state(number)[1:], applied[1:])
        self.assertGreater(applied[3], 0)
        self.assertEqual(self.query("SELECT count(*) FROM share_inbox WHERE message_id = "
                                    "'RELAY-PCU:1'")[0][0], 1)
        self.assertEqual(self.query("SELECT reason FROM shared_alerts WHERE container = ?",
                                    number), [(body["reason"],)])
        self.assertEqual(self.query("SELECT count(*) FROM share_inbox")[0][0], inbox + 1)
        self.assert_healthy()

    def test_99_summary(self):
        self.assertIsNone(self.node.poll(), "the node exited")
        log = self.log_path.read_text(errors="replace")
        for marker in ("ERROR: AddressSanitizer", "runtime error:"):
            self.assertNotIn(marker, log)
        total = sum(CASES.values())
        parts = ", ".join(f"{name} {count}" for name, count in sorted(CASES.items()))
        print(f"\nabuse summary: {total} cases ({parts})", file=sys.stderr)
        self.assertGreater(total, 0)


if __name__ == "__main__":
    BINARY = pathlib.Path(sys.argv[1])
    DATA = pathlib.Path(sys.argv[2])
    unittest.main(argv=[sys.argv[0], "-v"])
