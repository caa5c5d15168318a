"""bench/scale: Perch scaled out on one PostgreSQL, driven from outside through its CLI and HTTP API.

Called by bench/scale/run (which builds the release binary and starts PostgreSQL) as
    scale.py PERCH_BINARY TOKENS REGISTRATION_SECONDS
Prints what it does, then a table. A benchmark compares; it asserts nothing but that the sends arrived.
"""
import csv
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from urllib.parse import urlsplit, urlunsplit

perch, tokens, duration = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pg_url = os.environ["PERCH_TEST_POSTGRES_URL"]
pg_bin = os.environ["PERCH_PG_BIN"]
# PERCH_SCALE_WORKERS=1 (or "1,3"; empty: none): only those campaigns, for an A/B of two builds.
worker_counts = [int(n) for n in os.environ.get("PERCH_SCALE_WORKERS", "1,2,3").split(",") if n]
work = tempfile.mkdtemp(prefix="perch-bench-scale-")
admin_key = "bench-admin-key-0123456789abcdef"
base_env = dict(os.environ, PERCH_MASTER_KEY="7e" * 32, PERCH_ADMIN_KEY=admin_key, PERCH_LOG_LEVEL="warning", PERCH_HOST="127.0.0.1",
                PERCH_ALLOW_GATEWAY_HOSTS="127.0.0.1")  # the simulators: the operator allows their loopback host
ticks = os.sysconf("SC_CLK_TCK")
processes = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database(name):
    """A fresh database on the benchmark's PostgreSQL; its URL."""
    subprocess.run([f"{pg_bin}/psql", pg_url, "-q", "-c", f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"], check=True)
    parts = urlsplit(pg_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, "pool=8", ""))


def start(name, arguments, **env):
    log = open(f"{work}/{name}.log", "w")
    process = subprocess.Popen([perch, *arguments], cwd=work, env=dict(base_env, **env), stdout=log, stderr=subprocess.STDOUT)
    processes.append(process)
    return process


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def call(method, url, key=None, body=None, context=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=120, context=context) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait_healthy(port, process):
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"a perch process exited with {process.returncode}; see {work}")
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"nothing healthy on port {port}")


def cpu_seconds(pid):
    """User + system CPU of one process, in seconds."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


def postgres_cpu():
    """CPU of every PostgreSQL process alive now (the pooled backends live as long as the perch processes)."""
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if open(f"/proc/{pid}/comm").read().strip() == "postgres":
                total += cpu_seconds(pid)
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def machine_busy():
    """Busy CPU seconds of the whole machine (all cores) from /proc/stat."""
    values = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / ticks


def create_app(port):
    status, app = call("POST", f"http://127.0.0.1:{port}/v1/apps", admin_key, {"name": "bench"})
    assert status == 201, app
    return app


def registration(backend, url):
    port = free_port()
    server = start(f"register-{backend}", ["serve"], PERCH_DATABASE_URL=url, PERCH_PORT=str(port))
    wait_healthy(port, server)
    app = create_app(port)
    print(f"== registration on {backend}: POST /v1/tokens, {duration} s, 64 connections", flush=True)
    env = dict(os.environ, PERCH_BENCH_KEY=app["publishableKey"])
    cpu_before, pg_before, busy_before = cpu_seconds(server.pid), postgres_cpu(), machine_busy()
    output = subprocess.run(["wrk", "-t2", "-c64", f"-d{duration}s", "--latency", "-s", "bench/registration/register.lua",
                             f"http://127.0.0.1:{port}/"], env=env, capture_output=True, text=True, check=True).stdout
    cpu = {"perch": cpu_seconds(server.pid) - cpu_before, "postgres": postgres_cpu() - pg_before, "busy": machine_busy() - busy_before}
    stop(server)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    p99 = re.search(r"\s99%\s+(\S+)", output).group(1)
    print(f"   {rate:,.0f} registrations/s, p99 {p99}, non-2xx {errors.group(1) if errors else 0}; CPU s: perch {cpu['perch']:.0f}, "
          f"postgres {cpu['postgres']:.0f}, machine busy {cpu['busy'] / duration:.2f} cores", flush=True)
    return {"rate": rate, "p99": p99, "errors": int(errors.group(1)) if errors else 0, "cpu": cpu}


def token(index):
    return ("apns", f"feedbeef{index:056x}") if index % 5 < 3 else ("fcm", f"dQw4w9WgXcQ{index}:APA91b" + "Tk_-Q7" * 24)


def main():
    results = {"tokens": tokens}
    # 1. Registration, SQLite beside PostgreSQL.
    results["registration"] = {
        "sqlite": registration("sqlite", f"sqlite:{work}/register.sqlite"),
        "postgres": registration("postgres", database("perch_bench_register")),
    }
    if os.environ.get("PERCH_BENCH_ONLY") == "registration":
        return

    # 2. Campaigns: an API-only server, the simulators, TOKENS installations, then 1, 2 and 3 workers.
    url = database("perch_bench_send")
    simulator = start("simulator", ["simulate", "--state-dir", f"{work}/simulator"])
    credentials_path = f"{work}/simulator/credentials.json"
    for _ in range(600):
        if os.path.exists(credentials_path) and os.path.getsize(credentials_path) > 0:
            break
        time.sleep(0.1)
    credentials = json.load(open(credentials_path))
    tls = ssl.create_default_context(cafile=credentials["caCertificatePath"])

    def accepted():
        return sum(call("GET", f"{credentials['urls']['webPush']}/_sim/counters?platform={p}&perToken=false", context=tls)[1]["accepted"]
                   for p in ("apns", "fcm"))

    port = free_port()
    server = start("serve", ["serve", "--api-only"], PERCH_DATABASE_URL=url, PERCH_PORT=str(port))
    wait_healthy(port, server)
    app = create_app(port)
    api = f"http://127.0.0.1:{port}"
    for platform in ("apns", "fcm"):
        status, answer = call("PUT", f"{api}/v1/apps/{app['id']}/gateways/{platform}", app["secretKey"], credentials[platform])
        assert status == 200, answer

    with open(f"{work}/tokens.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["installationId", "platform", "token", "environment", "userId", "consent", "timezone"])
        for index in range(tokens):
            platform, value = token(index)
            writer.writerow([f"inst-{index}", platform, value, "production" if platform == "apns" else "", f"user-{index}", "granted", "UTC"])
    print(f"== perch import of {tokens:,} installations into PostgreSQL", flush=True)
    started = time.monotonic()
    subprocess.run([perch, "import", "--app", app["id"], "--quiet", f"{work}/tokens.csv"], cwd=work,
                   env=dict(base_env, PERCH_DATABASE_URL=url), check=True, stdout=subprocess.DEVNULL)
    results["importRate"] = tokens / (time.monotonic() - started)
    print(f"   {results['importRate']:,.0f} installations/s", flush=True)

    results["campaigns"] = []
    for count in worker_counts:
        ports = [free_port() for _ in range(count)]
        workers = [start(f"worker-{count}-{i}", ["worker", "--port", str(p)], PERCH_DATABASE_URL=url) for i, p in enumerate(ports)]
        for p, w in zip(ports, workers):
            wait_healthy(p, w)
        status, campaign = call("POST", f"{api}/v1/campaigns", app["secretKey"], {
            "name": f"{count} worker(s)", "audience": {"filter": "lastSeenAt within 1d"}, "message": {"title": "Hello", "body": "Scale"}})
        assert status == 201, campaign
        before = accepted()
        cpu_before = {"serve": cpu_seconds(server.pid), "simulator": cpu_seconds(simulator.pid), "postgres": postgres_cpu(),
                      "workers": sum(cpu_seconds(w.pid) for w in workers)}
        busy_before = machine_busy()
        print(f"== campaign to {tokens:,} tokens with {count} worker(s)", flush=True)
        started = time.monotonic()
        call("POST", f"{api}/v1/campaigns/{campaign['id']}/send", app["secretKey"])
        # Progress from the simulators' totals, which cost nothing to read; the campaign's answer carries its whole
        # report (computed from every delivery row), so it is asked only once every push is in, or every 10 s.
        first_push, last_look = None, 0.0
        while True:
            sent = accepted() - before
            if first_push is None and sent > 0:
                first_push = time.monotonic() - started
            if sent >= tokens or time.monotonic() - last_look > 10:
                last_look = time.monotonic()
                _, state = call("GET", f"{api}/v1/campaigns/{campaign['id']}", app["secretKey"])
                if state["status"] == "completed":
                    break
            time.sleep(0.25)
        seconds = time.monotonic() - started
        cpu = {"serve": cpu_seconds(server.pid) - cpu_before["serve"], "simulator": cpu_seconds(simulator.pid) - cpu_before["simulator"],
               "postgres": postgres_cpu() - cpu_before["postgres"],
               "workers": sum(cpu_seconds(w.pid) for w in workers) - cpu_before["workers"]}
        busy = machine_busy() - busy_before
        sent = accepted() - before
        for w in workers:
            stop(w)
        run = {"workers": count, "seconds": seconds, "firstPushAfter": first_push or seconds, "accepted": state["counts"]["accepted"],
               "simulatorAccepted": sent, "rate": sent / seconds, "cpu": cpu, "busy": busy}
        print(f"   {sent:,} accepted in {seconds:,.1f} s ({run['rate']:,.0f}/s; first push after {run['firstPushAfter']:.1f} s); "
              f"CPU s: workers {cpu['workers']:.0f}, simulator {cpu['simulator']:.0f}, postgres {cpu['postgres']:.0f}, "
              f"serve {cpu['serve']:.0f}; machine busy {busy / seconds:.2f} of {os.cpu_count()} cores", flush=True)
        results["campaigns"].append(run)
    stop(server)
    stop(simulator)

    print()
    registration_rows = results["registration"]
    print(f"registration (POST /v1/tokens, wrk 64 connections, {duration} s)")
    for backend in ("sqlite", "postgres"):
        r = registration_rows[backend]
        print(f"  {backend:10} {r['rate']:>10,.0f}/s   p99 {r['p99']:>8}   non-2xx {r['errors']}")
    print(f"  postgres / sqlite: {registration_rows['postgres']['rate'] / registration_rows['sqlite']['rate']:.2f}")
    print(f"perch import into PostgreSQL: {results['importRate']:,.0f} installations/s")
    print()
    if results["campaigns"]:
        print_campaigns(results["campaigns"])
    json.dump(results, open(f"{work}/results.json", "w"), indent=2)
    print(f"\n(logs and results.json in {work})")


def print_campaigns(runs):
    """The campaigns side by side, and each process's CPU per delivered push."""
    base = runs[0]["rate"]
    print(f"campaign of {tokens:,} tokens (60% APNs, 40% FCM) to perch simulate, perch serve --api-only + N perch worker")
    print(f"  {'workers':>7} {'seconds':>8} {'deliv/s':>8} {'scaling':>8} {'1st push':>9}  CPU s: {'workers':>7} {'simul.':>6} {'pg':>5} {'serve':>5}  busy cores")
    for run in runs:
        cpu = run["cpu"]
        print(f"  {run['workers']:>7} {run['seconds']:>8.1f} {run['rate']:>8,.0f} {run['rate'] / base:>7.2f}x {run['firstPushAfter']:>9.1f}"
              f"         {cpu['workers']:>7.0f} {cpu['simulator']:>6.0f} {cpu['postgres']:>5.0f} {cpu['serve']:>5.0f}  {run['busy'] / run['seconds']:.2f} of {os.cpu_count()}")
    print(f"  CPU per delivered push, µs (#14 asks PostgreSQL ≤ 150; the simulator's is this machine's yardstick between builds whose `perch simulate` is unchanged)")
    for run in runs:
        cpu, sent = run["cpu"], max(run["simulatorAccepted"], 1)
        print(f"  {run['workers']:>7} worker(s): workers {cpu['workers'] / sent * 1e6:>5.0f}   simulator {cpu['simulator'] / sent * 1e6:>5.0f}"
              f"   postgres {cpu['postgres'] / sent * 1e6:>5.0f}   serve {cpu['serve'] / sent * 1e6:>4.0f}")
    for run in runs:
        if run["simulatorAccepted"] != tokens or run["accepted"] != tokens:
            print(f"  NOTE: with {run['workers']} worker(s) the simulators accepted {run['simulatorAccepted']:,}, the campaign counts {run['accepted']:,}")


try:
    main()
finally:
    for process in processes:
        stop(process)
