"""Load and oversized bodies against the app's server (issue 12), on loopback only.

    python bench/bench_load.py --home /tmp/h4load/home [--seconds 60] [--clients 8]

Starts ``creditscore --home HOME app --browser`` (the real server: token, body limits, CSP), then
1. sends a 1 GiB chunked body (no Content-Length) to ``/api/v1/score`` and to Dash's callback
   route (as the client list's callback), and a declared 1 GiB body to both: time until the
   server answers (the client stops sending as soon as an answer arrives) and the server's extra
   memory (RSS sampled every 20 ms from /proc, and the kernel's peak VmHWM);
2. runs ``--clients`` threads for ``--seconds``, each alternating ``POST /api/v1/score`` (one
   application of the demo batch, JSON) and the client list's Dash callback (a search by id
   prefix, a filter, a sort: the server-side paging of the store): count, errors, p50/p95/max;
   the server's RSS sampled throughout;
3. last, a 1 GiB chunked body as the Import page's upload callback, whose limit is the browser
   upload's (100 MB files, base64).
Prints a Markdown summary (pasted into bench/RESULTS-load.md).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import select
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
GIB = 1 << 30
CHUNK = 1 << 20
LIST_OUTPUTS = [("clients-list", "children"), ("clients-pager-status", "children"), ("clients-page", "data"),
                ("clients-previous", "disabled"), ("clients-next", "disabled"), ("clients-seeding-poll", "disabled")]
LIST_INPUTS = [("clients-search", "value"), ("clients-decision", "value"), ("clients-grade", "value"),
               ("clients-batch", "value"), ("clients-sort", "value"), ("clients-previous", "n_clicks"),
               ("clients-next", "n_clicks"), ("clients-selected", "data"), ("clients-seeding-poll", "n_intervals")]


class Memory:
    """The server's resident memory, sampled from /proc in a thread."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        self.pid, self.every, self.samples = pid, every, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _field(self, name: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1]) * 1024
        raise KeyError(name)

    def rss(self) -> int:
        return self._field("VmRSS")

    def peak(self) -> int:
        return self._field("VmHWM")

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(self.rss())
            time.sleep(self.every)

    def __enter__(self) -> Memory:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()


def _start(home: str) -> tuple[subprocess.Popen, int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    app = subprocess.Popen([sys.executable, "-m", "desktop", "--home", home, "app", "--browser"], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = urlsplit(app.stdout.readline().split("open ", 1)[1].strip())  # "creditscore: open http://…/?token=…"
    return app, url.port, url.query.removeprefix("token=")


def _post(port: int, token: str, path: str, body: bytes) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST", path, body=body, headers={"Authorization": f"Bearer {token}",
                                                       "Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


def _oversized(port: int, token: str, path: str, total: int, chunked: bool, output: str) -> tuple[str, float, int]:
    """Send ``total`` bytes (chunked, or with a declared length) until the server answers; returns
    the answer's status line, the seconds it took and the bytes sent. The body starts as a Dash
    callback of ``output`` would."""
    sock = socket.create_connection(("127.0.0.1", port))
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                 f"Content-Type: application/json\r\n{framing}\r\n\r\n".encode())
    start = b'{"output":"%s","inputs":[' % output.encode()
    payload = start + b" " * (CHUNK - len(start))
    filler = b" " * CHUNK
    started, sent, answer = time.perf_counter(), 0, ""
    try:
        while sent < total:
            data = payload if sent == 0 else filler
            sock.sendall(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            sent += len(data)
            if select.select([sock], [], [], 0)[0]:
                break
        if sent >= total and chunked:
            sock.sendall(b"0\r\n\r\n")
        answer = sock.recv(200).split(b"\r\n", 1)[0].decode()
    except (BrokenPipeError, ConnectionResetError) as exc:  # the server answered and closed while we were sending
        try:
            answer = sock.recv(200).split(b"\r\n", 1)[0].decode() or f"connection closed ({type(exc).__name__})"
        except OSError:
            answer = f"connection closed ({type(exc).__name__})"
    finally:
        elapsed = time.perf_counter() - started
        sock.close()
    return answer, elapsed, sent


def _applications(count: int) -> list[bytes]:
    import polars as pl

    sys.path.insert(0, str(ROOT))
    from engine.resources import demo_batch

    rows = pl.read_parquet(demo_batch() / "application_test.parquet").head(count).to_dicts()
    return [json.dumps({"application": {k: v for k, v in row.items() if v is not None}}).encode() for row in rows]


def _list_callback(rng: random.Random) -> bytes:
    values = {"clients-search": str(rng.randint(100, 999)) if rng.random() < 0.5 else "",
              "clients-decision": rng.choice(["all", "accept", "refuse"]), "clients-grade": rng.choice(["all", "A", "C", "E"]),
              "clients-sort": rng.choice(["id", "pd_desc", "pd_asc"])}
    inputs = [{"id": i, "property": p, "value": values.get(i)} for i, p in LIST_INPUTS]
    changed = rng.choice(["clients-search.value", "clients-decision.value", "clients-sort.value"])
    return json.dumps({
        "output": ".." + "...".join(f"{i}.{p}" for i, p in LIST_OUTPUTS) + "..",  # Dash's id of a multi-output callback
        "outputs": [{"id": i, "property": p} for i, p in LIST_OUTPUTS],
        "inputs": inputs, "changedPropIds": [changed], "state": [{"id": "clients-page", "property": "data", "value": 0}],
    }).encode()


def _load(port: int, token: str, seconds: float, clients: int) -> dict[str, list]:
    applications = _applications(200)
    results: dict[str, list] = {"score": [], "list": [], "errors": []}
    deadline = time.monotonic() + seconds

    def worker(k: int) -> None:
        rng = random.Random(k)
        while time.monotonic() < deadline:
            for kind, path, body in (("score", "/api/v1/score", rng.choice(applications)),
                                     ("list", DASH_ROUTE, _list_callback(rng))):
                try:
                    status, elapsed = _post(port, token, path, body)
                except OSError as exc:
                    results["errors"].append(f"{kind}: {exc}")
                    continue
                (results[kind] if status == 200 else results["errors"]).append(elapsed if status == 200 else f"{kind}: {status}")

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


DASH_ROUTE, LIST_OUTPUT, UPLOAD_OUTPUT = "/_dash-update-component", "clients-list.children", "import-sources.data"
OVERSIZED = [("/api/v1/score", True, LIST_OUTPUT), ("/api/v1/score", False, LIST_OUTPUT),
             (DASH_ROUTE, True, LIST_OUTPUT), (DASH_ROUTE, False, LIST_OUTPUT)]
TABLE_HEAD = ("| body | route | answer | seconds | sent | server RSS before → max sampled | peak (VmHWM) |\n"
              "|---|---|---|---|---|---|---|")


def _oversized_row(memory: Memory, port: int, token: str, path: str, chunked: bool, output: str) -> None:
    before = memory.rss()
    with Memory(memory.pid) as sampled:
        answer, elapsed, sent = _oversized(port, token, path, GIB, chunked, output)
        time.sleep(0.5)
    kind = ("1 GiB chunked" if chunked else "1 GiB declared") + (f" (callback {output})" if path == DASH_ROUTE else "")
    print(f"| {kind} | `{path}` | {answer} | {elapsed:.2f} | {sent / 2**20:.0f} MiB | "
          f"{before / 2**20:.0f} → {max(sampled.samples) / 2**20:.0f} MiB | {memory.peak() / 2**20:.0f} MiB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", required=True, help="a store (e.g. 300,000 clients imported)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    app, port, token = _start(args.home)
    try:
        memory = Memory(app.pid)
        for path, body in (("/api/v1/score", _applications(1)[0]), (DASH_ROUTE, _list_callback(random.Random(0)))):
            status, elapsed = _post(port, token, path, body)  # warm up: the model and the list's first query
            assert status == 200, (path, status)
        print(f"server pid {app.pid}, RSS after warm-up {memory.rss() / 2**20:.0f} MiB\n")
        print(TABLE_HEAD)
        for path, chunked, output in OVERSIZED:
            _oversized_row(memory, port, token, path, chunked, output)
        with Memory(app.pid, every=0.2) as sampled:
            results = _load(port, token, args.seconds, args.clients)
        print(f"\n{args.clients} clients for {args.seconds:.0f} s: errors {len(results['errors'])} {results['errors'][:3]}")
        print("\n| request | n | per s | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|---|")
        for kind in ("score", "list"):
            values = results[kind]
            print(f"| {kind} | {len(values)} | {len(values) / args.seconds:.1f} | {statistics.median(values) * 1000:.0f} | "
                  f"{_ms(values, 0.95):.0f} | {max(values) * 1000:.0f} |")
        print(f"\nserver RSS during the load: max {max(sampled.samples) / 2**20:.0f} MiB "
              f"(samples {len(sampled.samples)}); peak so far (VmHWM) {memory.peak() / 2**20:.0f} MiB\n")
        print(TABLE_HEAD)  # last: the upload's callback reads up to its own limit, and Python keeps that memory
        _oversized_row(memory, port, token, DASH_ROUTE, True, UPLOAD_OUTPUT)
    finally:
        app.terminate()
        app.wait(timeout=60)


if __name__ == "__main__":
    main()
