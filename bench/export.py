#!/usr/bin/env python3
"""Times `ssocreds export` against `curl` doing the same single GET on the same local fake portal.

One paired run: the two commands alternate, N times each, so that both see the same machine state. Prints the
median and p90 wall time, the peak memory (max RSS of the process, from wait4) and the ratio to curl, plus the
release binary's size. Build first: cargo build --release -p ssocreds -p ssocreds-tests
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
RUNS = int(os.environ.get("BENCH_RUNS", "60"))
TOKEN = "demo-access-token-not-a-secret"
ACCOUNT = "111122223333"


def run_once(argv, env):
    """Wall seconds of one run, which must succeed."""
    started = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"benchmark command failed: {argv}\n{proc.stderr.decode()}")
    return wall


def peak_mib(argv, env):
    """Peak RSS in MiB, from GNU time: the rusage of a child forked from this Python process would count the
    interpreter's own pages, copied before exec."""
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, env=env, text=True, check=True)
    return int(proc.stderr.strip().splitlines()[-1]) / 1024


def main():
    ssocreds = RELEASE / "ssocreds"
    portal_bin = RELEASE / "fake-portal"
    for binary in (ssocreds, portal_bin):
        if not binary.exists():
            sys.exit(f"{binary} is missing: run cargo build --release -p ssocreds -p ssocreds-tests")
    portal = subprocess.Popen([str(portal_bin), "--demo"], stdout=subprocess.PIPE, text=True)
    try:
        url = portal.stdout.readline().strip()
        home = tempfile.mkdtemp(prefix="ssocreds-bench-")
        cache = pathlib.Path(home, ".aws/sso/cache")
        cache.mkdir(parents=True)
        (cache / "demo.json").write_text(json.dumps({
            "startUrl": "https://my-sso-portal.awsapps.com/start", "region": "us-east-1",
            "accessToken": TOKEN, "expiresAt": "2099-01-01T00:00:00Z"}))
        env = {"HOME": home, "PATH": os.environ["PATH"]}
        commands = {
            "ssocreds export": [str(ssocreds), "export", "--account-id", ACCOUNT, "--role-name", "ReadOnly",
                                "--endpoint-url", url],
            "curl (one GET)": ["curl", "-sf", "-o", "/dev/null", "-H", f"x-amz-sso_bearer_token: {TOKEN}",
                               f"{url}/federation/credentials?role_name=ReadOnly&account_id={ACCOUNT}"],
        }
        samples = {name: [] for name in commands}
        for name, argv in commands.items():  # warm-up
            run_once(argv, env)
        for _ in range(RUNS):
            for name, argv in commands.items():
                samples[name].append(run_once(argv, env))
        peaks = {name: max(peak_mib(argv, env) for _ in range(5)) for name, argv in commands.items()}
    finally:
        portal.kill()

    print(f"ssocreds export vs curl, {RUNS} paired runs against the fake portal on 127.0.0.1")
    print(f"{'command':<18} {'median ms':>10} {'p90 ms':>8} {'peak MiB':>9}")
    medians = {}
    for name, runs in samples.items():
        walls = sorted(runs)
        medians[name] = statistics.median(walls)
        p90 = walls[int(len(walls) * 0.9) - 1]
        peak = peaks[name]
        print(f"{name:<18} {medians[name] * 1000:>10.2f} {p90 * 1000:>8.2f} {peak:>9.1f}")
    ratio = medians["ssocreds export"] / medians["curl (one GET)"]
    print(f"ratio ssocreds/curl (median wall): {ratio:.2f}x   goal: <= 1.5x, < 12 MiB")
    print(f"release binary: {ssocreds.stat().st_size / 1024 / 1024:.2f} MiB ({ssocreds})")


if __name__ == "__main__":
    main()
