#!/usr/bin/env python3
"""`ssocreds process --profile P` with a warm role cache against botocore resolving the same SSO profile.

One paired run against the fake portal on 127.0.0.1: the commands alternate N times each. botocore comes from
PyPI into the throw-away virtual environment under bench/out/ that bench/discovery.py also uses. Prints median and
p90 wall time and the ratio. Goal: ssocreds at least 50x faster.
Build first: cargo build --release -p ssocreds -p ssocreds-tests
"""

import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
RELEASE = ROOT / "target" / "release"
OUT = ROOT / "bench" / "out"
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
TOKEN = "demo-access-token-not-a-secret"
CONFIG = """[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = eu-west-1

[sso-session corp]
sso_start_url = https://my-sso-portal.awsapps.com/start
sso_region = us-east-1
"""
BOTOCORE = "import botocore.session; botocore.session.Session(profile='dev').get_credentials().get_frozen_credentials()"


def python_with_botocore():
    venv = OUT / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    if subprocess.run([str(python), "-c", "import botocore"], capture_output=True).returncode != 0:
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "botocore"], check=True)
    return python


def timed(argv, env):
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"failed: {argv}\n{proc.stderr}")
    return time.perf_counter() - started


def main():
    ssocreds, fake = RELEASE / "ssocreds", RELEASE / "fake-portal"
    for binary in (ssocreds, fake):
        if not binary.exists():
            sys.exit(f"{binary} is missing: run cargo build --release -p ssocreds -p ssocreds-tests")
    OUT.mkdir(parents=True, exist_ok=True)
    python = python_with_botocore()
    portal = subprocess.Popen([str(fake), "--demo"], stdout=subprocess.PIPE, text=True)
    try:
        url = portal.stdout.readline().strip()
        home = pathlib.Path(tempfile.mkdtemp(prefix="ssocreds-bench-"))
        (home / ".aws/sso/cache").mkdir(parents=True)
        (home / ".aws/config").write_text(CONFIG)
        # The token of sso-session "corp": SHA-1 of the session name.
        import hashlib
        name = hashlib.sha1(b"corp").hexdigest() + ".json"
        (home / ".aws/sso/cache" / name).write_text(json.dumps({
            "startUrl": "https://my-sso-portal.awsapps.com/start", "region": "us-east-1",
            "accessToken": TOKEN, "expiresAt": "2099-01-01T00:00:00Z"}))
        env = {"HOME": str(home), "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL_SSO": url}
        commands = {
            "ssocreds process (warm cache)": [str(ssocreds), "process", "--profile", "dev"],
            "botocore (SSO profile)": [str(python), "-c", BOTOCORE],
        }
        for argv in commands.values():  # warm-up; fills ssocreds' role cache
            timed(argv, env)
        samples = {name: [] for name in commands}
        for _ in range(RUNS):
            for name, argv in commands.items():
                samples[name].append(timed(argv, env))
    finally:
        portal.kill()
    print(f"resolving one SSO profile, {RUNS} paired runs")
    print(f"{'command':<30} {'median ms':>10} {'p90 ms':>8}")
    medians = {}
    for name, walls in samples.items():
        walls.sort()
        medians[name] = statistics.median(walls)
        print(f"{name:<30} {medians[name] * 1000:>10.2f} {walls[int(len(walls) * 0.9) - 1] * 1000:>8.2f}")
    names = list(commands)
    print(f"ssocreds is {medians[names[1]] / medians[names[0]]:.0f}x faster   goal: >= 50x")


if __name__ == "__main__":
    main()
