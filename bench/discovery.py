#!/usr/bin/env python3
"""Lists the roles of every account: `ssocreds roles` against `aws-sso-util roles`, same fake portal, same run.

The fake portal holds 1,000 accounts with 3 roles each, answers every request after 20 ms, and throttles above
400 requests a second (BENCH_BUDGET; a token bucket; the excess gets 429 TooManyRequestsException). Prints wall time, requests,
429s seen, and rows listed, and checks that every tool listed all 3,000 roles. aws-sso-util comes from PyPI into a
throw-away virtual environment under bench/out/ (skipped with a note if that cannot be installed).
Build first: cargo build --release -p ssocreds -p ssocreds-tests
"""

import hashlib
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
RELEASE = ROOT / "target" / "release"
OUT = ROOT / "bench" / "out"
ACCOUNTS, ROLES, LATENCY_MS = 1000, 3, 20
BUDGET = int(os.environ.get("BENCH_BUDGET", "400"))
START_URL = "https://bench.awsapps.com/start"
TOKEN = "tok-bench-discovery"


def peer_venv():
    venv = OUT / "venv"
    tool = venv / "bin" / "aws-sso-util"
    if not tool.exists():
        print("installing aws-sso-util into", venv, file=sys.stderr)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "aws-sso-util"], check=True)
        except subprocess.CalledProcessError as e:
            print(f"aws-sso-util could not be installed ({e}); measuring ssocreds alone", file=sys.stderr)
            return None
    return tool


def state(url):
    with urllib.request.urlopen(f"{url}/__fake/state") as answer:
        return json.load(answer)


def measure(name, argv, env, url):
    before = state(url)
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = state(url)
    rows = sum(1 for line in proc.stdout.splitlines() if re.search(r"\bRole\d+\b", line))
    return {
        "tool": name, "wall": wall, "exit": proc.returncode, "rows": rows,
        "requests": after["requestsReceived"] - before["requestsReceived"],
        "throttled": after["throttled"] - before["throttled"], "stderr": proc.stderr[-500:],
    }


def main():
    ssocreds, fake = RELEASE / "ssocreds", RELEASE / "fake-portal"
    for binary in (ssocreds, fake):
        if not binary.exists():
            sys.exit(f"{binary} is missing: run cargo build --release -p ssocreds -p ssocreds-tests")
    OUT.mkdir(parents=True, exist_ok=True)
    peer = peer_venv()
    config = OUT / "discovery-portal.json"
    config.write_text(json.dumps({
        "generateAccounts": {"count": ACCOUNTS, "rolesPerAccount": ROLES, "token": TOKEN},
        "latencyMs": LATENCY_MS, "throttle": {"budgetPerSecond": BUDGET}}))
    portal = subprocess.Popen([str(fake), "--config", str(config)], stdout=subprocess.PIPE, text=True)
    try:
        url = portal.stdout.readline().strip()
        home = tempfile.mkdtemp(prefix="ssocreds-bench-")
        cache = pathlib.Path(home, ".aws/sso/cache")
        cache.mkdir(parents=True)
        # Named as botocore names a legacy start-URL token, so that aws-sso-util finds it too.
        name = hashlib.sha1(START_URL.encode()).hexdigest() + ".json"
        (cache / name).write_text(json.dumps({"startUrl": START_URL, "region": "us-east-1", "accessToken": TOKEN,
                                              "expiresAt": "2099-01-01T00:00:00Z"}))
        env = {"HOME": home, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL_SSO": url}
        results = [measure("ssocreds roles", [str(ssocreds), "roles", "--output", "json"], env, url)]
        if peer:
            results.append(measure("aws-sso-util roles", [str(peer), "roles", "--sso-start-url", START_URL,
                                                          "--sso-region", "us-east-1"], env, url))
    finally:
        portal.kill()

    print(f"roles of {ACCOUNTS} accounts x {ROLES} roles, {LATENCY_MS} ms latency, throttled above {BUDGET} req/s")
    print(f"{'tool':<20} {'wall s':>7} {'requests':>9} {'429s':>6} {'roles':>6} {'exit':>5}")
    for r in results:
        print(f"{r['tool']:<20} {r['wall']:>7.2f} {r['requests']:>9} {r['throttled']:>6} {r['rows']:>6} {r['exit']:>5}")
        if r["rows"] != ACCOUNTS * ROLES or r["exit"] != 0:
            print(f"  {r['tool']} did not list every role: {r['stderr']}")
    if len(results) == 2 and results[0]["rows"] == ACCOUNTS * ROLES:
        print(f"speed-up: {results[1]['wall'] / results[0]['wall']:.1f}x   goal: ssocreds <= 3 s and >= 10x")


if __name__ == "__main__":
    main()
