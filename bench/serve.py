#!/usr/bin/env python3
"""`ssocreds serve`: requests per second and latency of cached answers, and the server's memory.

8 keep-alive clients (separate processes, so that Python's GIL does not add its own waits to the latency) each send
GET /credentials with the token over one connection, one request at a time, as an SDK does; the fake portal on
127.0.0.1 supplies the credentials (one fetch before the run). Prints requests/s, p50/p99/max latency, and the
server's RSS after 1,000 and after 100,000 requests. Goals: p99 <= 1 ms, RSS <= 12 MiB, growth <= 1 MiB.
Build first: cargo build --release -p ssocreds -p ssocreds-tests --bin fake-portal
Environment: BENCH_CLIENTS (8), BENCH_REQUESTS (100000).
"""

import json
import multiprocessing
import os
import pathlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
RELEASE = ROOT / "target" / "release"
TOKEN = "demo-access-token-not-a-secret"
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
TOTAL = int(os.environ.get("BENCH_REQUESTS", "100000"))
WARM = 1000


def rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def one_answer(sock, buffer):
    """Reads one HTTP/1.1 answer (with Content-Length) from `sock`; returns the status and what is left over."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        rest += chunk
    return int(head.split(b" ")[1]), rest[length:]


def client(port, token, count, start, results):
    request = (
        f"GET /credentials HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {token}\r\n"
        "Accept: application/json\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    start.wait()
    latencies = []
    buffer = b""
    for _ in range(count):
        began = time.perf_counter_ns()
        sock.sendall(request)
        status, buffer = one_answer(sock, buffer)
        latencies.append(time.perf_counter_ns() - began)
        if status != 200:
            raise SystemExit(f"status {status}")
    sock.close()
    results.put(latencies)


def run_clients(port, token, total):
    """`total` requests spread over CLIENTS processes; returns (elapsed seconds, latencies in ns)."""
    start = multiprocessing.Event()
    results = multiprocessing.Queue()
    per_client = total // CLIENTS
    procs = [
        multiprocessing.Process(target=client, args=(port, token, per_client, start, results)) for _ in range(CLIENTS)
    ]
    for proc in procs:
        proc.start()
    time.sleep(0.3)  # every client connected
    began = time.perf_counter()
    start.set()
    latencies = []
    for _ in procs:
        latencies.extend(results.get())
    elapsed = time.perf_counter() - began
    for proc in procs:
        proc.join()
    return elapsed, latencies


def main():
    ssocreds, fake = RELEASE / "ssocreds", RELEASE / "fake-portal"
    for binary in (ssocreds, fake):
        if not binary.exists():
            sys.exit(f"{binary} is missing: run cargo build --release -p ssocreds -p ssocreds-tests --bin fake-portal")
    portal = subprocess.Popen([str(fake), "--demo"], stdout=subprocess.PIPE, text=True)
    server = None
    try:
        url = portal.stdout.readline().strip()
        home = pathlib.Path(tempfile.mkdtemp(prefix="ssocreds-bench-"))
        (home / ".aws/sso/cache").mkdir(parents=True)
        (home / ".aws/sso/cache/demo.json").write_text(json.dumps({
            "startUrl": "https://my-sso-portal.awsapps.com/start", "region": "us-east-1",
            "accessToken": TOKEN, "expiresAt": "2099-01-01T00:00:00Z"}))
        env = {"HOME": str(home), "PATH": os.environ["PATH"]}
        server = subprocess.Popen(
            [str(ssocreds), "serve", "--quiet", "--format", "json", "--endpoint-url", url,
             "--account-id", "111122223333", "--role-name", "ReadOnly"],
            env=env, stdout=subprocess.PIPE, text=True)
        text = ""
        while not text.rstrip().endswith("}"):
            line = server.stdout.readline()
            if not line:
                sys.exit("ssocreds serve ended before printing its variables")
            text += line
        variables = json.loads(text)
        uri = variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        token = variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        port = int(uri.split(":")[2].split("/")[0])
        rss_start = rss_kib(server.pid)

        run_clients(port, token, WARM)
        rss_1k = rss_kib(server.pid)
        elapsed, latencies = run_clients(port, token, TOTAL - WARM)
        rss_100k = rss_kib(server.pid)

        latencies.sort()
        pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] / 1e6
        print(f"ssocreds serve, {CLIENTS} keep-alive clients, {len(latencies) + WARM} requests in all")
        print(f"  throughput  {len(latencies) / elapsed:,.0f} requests/s")
        print(f"  latency     p50 {pick(0.50):.3f} ms  p99 {pick(0.99):.3f} ms  max {latencies[-1] / 1e6:.3f} ms"
              f"  (mean {statistics.fmean(latencies) / 1e6:.3f} ms)")
        print(f"  RSS         at start {rss_start / 1024:.1f} MiB, after {WARM:,} requests {rss_1k / 1024:.1f} MiB,"
              f" after {TOTAL:,} {rss_100k / 1024:.1f} MiB (growth {(rss_100k - rss_1k) / 1024:.2f} MiB)")
        goals = [
            ("p99 <= 1 ms", pick(0.99) <= 1.0),
            ("RSS <= 12 MiB", rss_100k <= 12 * 1024),
            ("growth <= 1 MiB", rss_100k - rss_1k <= 1024),
        ]
        print("  goals       " + ", ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in goals))
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        portal.terminate()
        portal.wait()


if __name__ == "__main__":
    main()
