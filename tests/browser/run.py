"""Runs the browser tests (node:test + playwright-core in Debian's Chromium) against a real port
node: starts `portscreen serve` on a fresh data folder with its web server on a free loopback
port, creates one account per role, feeds a simulated day of traffic for today and the shared
CUSCAR fixture, scores and selects the day, then runs tests/browser/*.test.mjs with the node's
address, the accounts, the data folder and a dual-energy scan to upload. Screenshots go to
ARTIFACTS.

usage: run.py PORTSCREEN_BINARY TEST_DATA_DIR ARTIFACTS [--containers N] [--only-timing]

--containers N: containers of the simulated day (default 400), over max(2, N / 2000) vessel calls.
--only-timing: instead of the tests, run queue_timing.mjs, which prints how long the officer's
queue page takes to draw its first rows in Chromium (five runs and the median).
"""

import argparse
import datetime
import json
import os
import pathlib
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROLES = ["officer", "operator", "manager", "admin"]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(*args, **kwargs):
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("data")
    parser.add_argument("artifacts")
    parser.add_argument("--containers", type=int, default=400)
    parser.add_argument("--only-timing", action="store_true")
    options = parser.parse_args()
    binary, data, artifacts = (pathlib.Path(arg).resolve()
                               for arg in (options.binary, options.data, options.artifacts))
    calls = max(2, options.containers // 2000)
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    with tempfile.TemporaryDirectory(prefix="portscreen-browser-") as work:
        work = pathlib.Path(work)
        node_dir = work / "node"
        ingest = f"tcp://127.0.0.1:{free_port()}"
        scans = f"tcp://127.0.0.1:{free_port()}"
        port = free_port()
        log = open(work / "node.log", "w+")
        node = subprocess.Popen([binary, "serve", "--data", node_dir, "--ingest", ingest,
                                 "--scans", scans, "--http", f"127.0.0.1:{port}"], stderr=log)
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            accounts = {}
            for role in ROLES:
                password = secrets.token_urlsafe(18)
                run(binary, "user", "add", "--data", node_dir, "--username", f"{role}1",
                    "--role", role, "--name", f"Test {role.capitalize()}",
                    env={**os.environ, "PORTSCREEN_PASSWORD": password})
                accounts[role] = {"username": f"{role}1", "password": password}
            traffic = work / "traffic"
            run(binary, "sim", "day", "--out", traffic, "--seed", "7", "--date", today,
                "--calls", str(calls), "--containers", str(options.containers))
            messages = sorted(p for p in traffic.iterdir()
                              if p.suffix in (".edi", ".json") and p.name != "summary.json")
            run(binary, "feed", "--to", ingest, "--window", "4", *messages,
                data / "edifact/synthetic/cuscar_d95b_sea_synthetic.edi")
            database = node_dir / "portscreen.db"
            # About a minute for the default day; a big one takes longer to score.
            for _ in range(max(600, options.containers // 10)):
                with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
                    containers, scored = db.execute(
                        "SELECT (SELECT count(*) FROM containers), (SELECT count(*) FROM scores)"
                    ).fetchone()
                if containers and containers == scored:
                    break
                time.sleep(0.1)
            run(binary, "select", "--data", node_dir, "--day", today, "--scan-capacity", "40",
                "--exam-capacity", "8", "--seed", "7")
            env = {**os.environ,
                   "PORTSCREEN_URL": f"http://127.0.0.1:{port}",
                   "PORTSCREEN_ACCOUNTS": json.dumps(accounts),
                   "PORTSCREEN_DATA": str(node_dir),
                   "PORTSCREEN_ARTIFACTS": str(artifacts),
                   "PORTSCREEN_SCAN_FILES": json.dumps({
                       "high": str(data / "xray/synthetic_high.png"),
                       "low": str(data / "xray/synthetic_low.png"),
                       "container_number": "CSQU3054383"})}
            if options.only_timing:
                command = ["node", str(HERE / "queue_timing.mjs")]
            else:
                tests = sorted(str(p) for p in HERE.glob("*.test.mjs"))
                command = ["node", "--test", "--test-concurrency=1", *tests]
            result = subprocess.run(command, env=env, timeout=900)
            if result.returncode != 0:
                log.seek(0)
                print("--- node log (last 40 lines) ---")
                print("".join(log.readlines()[-40:]))
            return result.returncode
        finally:
            node.send_signal(signal.SIGTERM)
            try:
                node.wait(timeout=60)
            except subprocess.TimeoutExpired:
                node.kill()
            log.close()


if __name__ == "__main__":
    sys.exit(main())
