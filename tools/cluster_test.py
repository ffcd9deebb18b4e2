"""`make cluster-test`: three containers of the image behind HAProxy with TLS, on loopback.

All nodes share one PostgreSQL database (made for the run, then dropped) and one Redis
database. HAProxy runs deploy/haproxy.cfg with a self-signed certificate made here, and tells
the nodes each patient's address with the PROXY protocol. Proves, with figures written to
docs/DEPLOY.md: a publish through one node is served by every node on its next request; the
intake rate limit holds across nodes and counts patients, not the proxy; a node killed with
SIGKILL during a burst costs no GET once the proxy marked it down, every POST that got its
303 is stored exactly once and every failed one got an error page; a rolling restart fails
no request; through Varnish (deploy/varnish.vcl) in front of the proxy, the first request
after a publish and its purge gets the new text, and the article is still served with every
node stopped; and a scrape of each node's /metrics counts the article views it served. Every
request goes to 127.0.0.1; each patient has an address of its own in 127.0.0.0/8. Everything
started here is stopped on every exit. The command lines each step of the deployment ran are
written to docs/DEPLOY.md too (tools.commands: from the same argument lists, secrets hidden).
"""

import collections
import contextlib
import csv
import datetime
import http.client
import http.cookies
import io
import itertools
import os
import secrets
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tools import commands, containers, varnish
from tools.containers import CheckFailed, say
from tools.image_test import ARTICLE, Steps, contact_fields, page_text
from tools.local_server import ROOT, free_port

NODES = 3
HAPROXY_CONFIG = ROOT / "deploy" / "haproxy.cfg"
REPORT = ROOT / "docs" / "DEPLOY.md"
# A Redis database of the run's own (flushed before and after): the cache keys of other
# sites on this Redis never mix with this run's.
REDIS_URL = "redis://127.0.0.1:6379/11"
RATE_LIMIT = 5
# The burst: bounded in time and threads, loopback only.
GET_THREADS = 4
POST_THREADS = 2
BEFORE_KILL_SECONDS = 2.0
AFTER_DOWN_SECONDS = 3.0
MARK_DOWN_LIMIT_SECONDS = 15.0
ERROR_PAGE_TEXT = "We could not answer just now"
# The nodes tell the edge to keep pages this briefly, so the origin-down check is quick.
EDGE_S_MAXAGE = 5
EDGE_STALE_WHILE_REVALIDATE = 2
addresses = (f"127.{a}.{b}.{c}" for a in (10, 11) for b in range(256) for c in range(1, 255))
_address_lock = threading.Lock()


def new_address() -> str:
    """A loopback address no other patient in this run has used."""
    with _address_lock:
        return next(addresses)


# --- HTTPS through the proxy, as patients send it ----------------------------------------


@dataclass
class Answer:
    status: int  # 0: no HTTP answer at all
    body: str = ""
    error: str = ""  # what went wrong when there was no answer


class Patient:
    """One visitor: their own source address and cookies, new TLS connection per request."""

    def __init__(self, proxy: "Proxy", address: str | None = None):
        self.proxy = proxy
        self.address = address or new_address()
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> Answer:
        conn = http.client.HTTPSConnection(
            "127.0.0.1",
            self.proxy.port,
            context=self.proxy.tls,
            timeout=40,
            source_address=(self.address, 0),
        )
        headers = {"Referer": f"{self.proxy.url}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
        except (OSError, http.client.HTTPException) as error:
            return Answer(0, error=f"{type(error).__name__}: {error}")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Answer(response.status, text)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def send_contact_request(self, name: str) -> tuple[Answer, Answer | None]:
        """(the form page, the POST's answer); None when the form page itself failed."""
        form_page = self.get("/contact/")
        if form_page.status != 200:
            return form_page, None
        return form_page, self.request("POST", "/contact/", contact_fields(form_page.body, name))


# --- the proxy ---------------------------------------------------------------------------


@dataclass
class Proxy:
    port: int
    socket_path: Path
    tls: ssl.SSLContext
    edge_port: int = 0  # plain HTTP, for Varnish only
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def command(self, line: str, *, record: bool = True) -> str:
        """One command on HAProxy's runtime API (recorded for the report unless `record` is
        off: for the queries polled)."""
        if record:
            commands.RECORDER.sent(f"HAProxy's runtime API ({self.socket_path})", line)
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(str(self.socket_path))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def servers(self) -> dict[str, dict[str, str]]:
        """Each node's row of `show stat`: status (UP, DOWN, MAINT, DRAIN…), stot, scur…"""
        text = self.command("show stat", record=False).lstrip("# ")
        rows = csv.DictReader(io.StringIO(text))
        return {
            row["svname"]: row
            for row in rows
            if row["pxname"] == "nodes" and row["svname"] not in ("BACKEND", "FRONTEND")
        }

    def status(self, server: str) -> str:
        return self.servers()[server]["status"]

    def sessions(self) -> dict[str, int]:
        return {name: int(row["stot"]) for name, row in self.servers().items()}

    def wait_for(self, server: str, wanted: Callable[[str], bool], limit: float) -> float:
        """Seconds until the server's status satisfies `wanted`; CheckFailed after `limit`."""
        began = time.monotonic()
        while time.monotonic() - began < limit:
            status = self.status(server)
            if wanted(status):
                return time.monotonic() - began
            time.sleep(0.05)
        raise CheckFailed(f"{server} is {status} after {limit:.0f}s")


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: (HAProxy's PEM with the key, the cert alone)."""
    key, cert, pem = folder / "key.pem", folder / "cert.pem", folder / "haproxy.pem"
    containers.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        timeout=60,
    )
    pem.write_text(cert.read_text() + key.read_text())
    pem.chmod(0o600)
    commands.RECORDER.note(f"{pem}: {cert} then {key}, mode 0600")
    return pem, cert


@contextlib.contextmanager
def haproxy(
    folder: Path, nodes: list[containers.Container], *, port: int, edge_port: int
) -> Iterator[Proxy]:
    pem, cert = make_certificate(folder)
    proxy = Proxy(
        port=port,
        socket_path=folder / "haproxy.sock",
        tls=ssl.create_default_context(cafile=str(cert)),
        edge_port=edge_port,
    )
    env = {
        "PATH": os.environ["PATH"],
        "HAPROXY_BIND": f"127.0.0.1:{proxy.port}",
        "HAPROXY_CERT": str(pem),
        "HAPROXY_SOCKET": str(proxy.socket_path),
        "HAPROXY_ERRORS": str(HAPROXY_CONFIG.parent / "errors"),
        "HAPROXY_EDGE_BIND": f"127.0.0.1:{proxy.edge_port}",
        **{f"NODE{i}": f"127.0.0.1:{box.port}" for i, box in enumerate(nodes, start=1)},
    }
    containers.run(["haproxy", "-c", "-q", "-f", str(HAPROXY_CONFIG)], env=env, timeout=30)
    serve = ["haproxy", "-db", "-f", str(HAPROXY_CONFIG)]
    commands.ran(serve, env=env)
    with open(folder / "haproxy.log", "w") as log:
        proxy.process = subprocess.Popen(serve, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 20
        while not proxy.socket_path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        for i in range(1, len(nodes) + 1):
            proxy.wait_for(f"node{i}", lambda s: s == "UP", limit=20)
        yield proxy
    finally:
        proxy.process.terminate()
        try:
            proxy.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proxy.process.kill()
            proxy.process.wait(timeout=10)


# --- load ----------------------------------------------------------------------------------


@dataclass
class Sent:
    kind: str  # "GET" or "POST"
    began: float
    ended: float
    status: int
    name: str = ""  # the contact request's name, for POSTs
    honest: bool = True  # a failure came with a page saying so


@dataclass
class Load:
    """GET and POST loops through the proxy until stopped; every request is recorded."""

    proxy: Proxy
    get_threads: int = GET_THREADS
    post_threads: int = POST_THREADS
    sent: list[Sent] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    prefix: str = field(default_factory=lambda: f"Cluster {secrets.token_hex(3)}")
    counter: Iterator[int] = field(default_factory=itertools.count)

    def _gets(self) -> None:
        paths = itertools.cycle([f"/articles/{ARTICLE}/", "/", f"/articles/{ARTICLE}/"])
        patient = Patient(self.proxy)
        while not self.stop.is_set():
            began = time.monotonic()
            answer = patient.get(next(paths))
            self.sent.append(Sent("GET", began, time.monotonic(), answer.status))

    def _posts(self) -> None:
        while not self.stop.is_set():
            name = f"{self.prefix} {next(self.counter)}"
            began = time.monotonic()
            form_page, answer = Patient(self.proxy).send_contact_request(name)
            if answer is None:  # the form page failed: a GET
                self.sent.append(Sent("GET", began, time.monotonic(), form_page.status))
                continue
            failed = answer.status != 303
            honest = not failed or (
                answer.status in (429, 500, 502, 503, 504)
                and any(t in page_text(answer.body) for t in (ERROR_PAGE_TEXT, "988"))
            )
            self.sent.append(Sent("POST", began, time.monotonic(), answer.status, name, honest))

    @contextlib.contextmanager
    def running(self) -> Iterator["Load"]:
        threads = [threading.Thread(target=self._gets) for _ in range(self.get_threads)]
        threads += [threading.Thread(target=self._posts) for _ in range(self.post_threads)]
        for thread in threads:
            thread.start()
        try:
            yield self
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(timeout=60)

    def of(self, kind: str, *, after: float = 0.0) -> list[Sent]:
        return [s for s in self.sent if s.kind == kind and s.began >= after]

    def failed(self, kind: str, *, after: float = 0.0) -> list[Sent]:
        ok = 303 if kind == "POST" else 200
        return [s for s in self.of(kind, after=after) if s.status != ok]


def stored_counts(database_url: str, prefix: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(database_url, connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT name, count(*) FROM intake_contactsubmission WHERE name LIKE %s GROUP BY name",
            [prefix + " %"],
        ).fetchall()
    return dict(rows)


def check_posts_stored_once(load: Load, database_url: str) -> tuple[int, int]:
    """Every POST answered 303 is stored exactly once, every failed one at most once and
    with an honest page; returns (failed POSTs, of which stored)."""
    stored = stored_counts(database_url, load.prefix)
    posts = load.of("POST")
    accepted = [s.name for s in posts if s.status == 303]
    wrong = {name: stored.get(name, 0) for name in accepted if stored.get(name, 0) != 1}
    assert not wrong, f"POSTs answered 303 but stored {wrong} times"
    failed = [s for s in posts if s.status != 303]
    twice = [s.name for s in failed if stored.get(s.name, 0) > 1]
    assert not twice, f"failed POSTs stored twice: {twice}"
    dishonest = [s.status for s in failed if not s.honest]
    assert not dishonest, f"failed POSTs without an error page: statuses {dishonest}"
    return len(failed), sum(1 for s in failed if stored.get(s.name, 0))


# --- the checks ----------------------------------------------------------------------------


def node_article(box: containers.Container) -> str:
    """The article straight from one node, as the proxy asks for it (HTTPS said by header)."""
    conn = http.client.HTTPConnection("127.0.0.1", box.port, timeout=30)
    try:
        conn.request(
            "GET",
            f"/articles/{ARTICLE}/",
            headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"},
        )
        response = conn.getresponse()
        body = response.read().decode()
    finally:
        conn.close()
    assert response.status == 200, f"{box.name} answered {response.status}"
    return page_text(body)


def check_publish_reaches_every_node(nodes, proxy: Proxy, run_id: str) -> dict:
    marker = f"Published through one node {run_id}."
    number = containers.publish(box=nodes[0], slug=ARTICLE, marker=marker)
    began = time.monotonic()
    # Each node has two workers with their own page cache: ask each node several times.
    stale = [box.name for box in nodes for _ in range(4) if marker not in node_article(box)]
    assert not stale, f"nodes served the old version: {stale}"
    through_proxy = [Patient(proxy).get(f"/articles/{ARTICLE}/") for _ in range(NODES * 2)]
    assert all(a.status == 200 and marker in page_text(a.body) for a in through_proxy)
    return {
        "version": number,
        "requests": len(nodes) * 4 + len(through_proxy),
        "stale": 0,
        "seconds": time.monotonic() - began,
    }


def check_rate_limit_across_nodes(proxy: Proxy, database_url: str, run_id: str) -> dict:
    before = proxy.sessions()
    patient = Patient(proxy)
    prefix = f"Rate {run_id}"
    answers = [patient.send_contact_request(f"{prefix} {i}")[1] for i in range(RATE_LIMIT + 1)]
    statuses = [a.status if a else 0 for a in answers]
    assert statuses == [303] * RATE_LIMIT + [429], f"one patient's POSTs answered {statuses}"
    served = {name: n - before[name] for name, n in proxy.sessions().items()}
    assert all(n > 0 for n in served.values()), f"not every node served them: {served}"
    other = Patient(proxy).send_contact_request(f"{prefix} other")[1]
    assert other and other.status == 303, "another patient was refused too"
    stored = stored_counts(database_url, prefix)
    assert len(stored) == RATE_LIMIT + 1 and set(stored.values()) == {1}, stored
    return {"posts": RATE_LIMIT + 2, "accepted": RATE_LIMIT + 1, "refused": 1, "served": served}


def check_node_killed_during_burst(nodes, proxy: Proxy, database_url: str) -> dict:
    victim, server = nodes[1], "node2"
    load = Load(proxy)
    with load.running():
        time.sleep(BEFORE_KILL_SECONDS)
        killed = time.monotonic()
        containers.run([*containers.PODMAN, "kill", "--signal", "KILL", victim.name])
        marked_down = killed + proxy.wait_for(
            server, lambda s: s.startswith("DOWN"), MARK_DOWN_LIMIT_SECONDS
        )
        time.sleep(AFTER_DOWN_SECONDS)
    late = load.failed("GET", after=marked_down)
    assert not late, f"{len(late)} GETs failed after the proxy marked the node down"
    failed_posts, stored_anyway = check_posts_stored_once(load, database_url)
    statuses = collections.Counter(str(s.status or "no answer") for s in load.failed("POST"))
    return {
        "gets": len(load.of("GET")),
        "get_failures": len(load.failed("GET")),
        "gets_after_down": len(load.of("GET", after=marked_down)),
        "posts": len(load.of("POST")),
        "post_failures": failed_posts,
        "failed_but_stored": stored_anyway,
        "post_failure_statuses": ", ".join(f"{n}× {code}" for code, n in statuses.items()),
        "mark_down_seconds": marked_down - killed,
    }


def replace_node(nodes, index: int) -> tuple[float, float]:
    """Stop the node (SIGTERM, gunicorn finishes its requests), start a fresh container on
    its port and wait until it answers /healthz; (seconds to stop, seconds to start)."""
    began = time.monotonic()
    containers.remove(nodes[index])
    stopped = time.monotonic()
    nodes[index] = containers.new_container(
        "hartrehab-node", nodes[index].env, port=nodes[index].port
    )
    commands.RECORDER.name(nodes[index].name, f"$NODE{index + 1}")
    containers.start(nodes[index])
    return stopped - began, time.monotonic() - stopped


def check_rolling_restart(nodes, proxy: Proxy, database_url: str) -> dict:
    load = Load(proxy)
    began = time.monotonic()
    phases = collections.defaultdict(float)  # seconds spent in each phase, all nodes
    with load.running():
        for index in range(len(nodes)):
            name = f"node{index + 1}"
            recorded = commands.RECORDER.step(
                f"Rolling restart: {name} (then the same for each other node)"
            )
            with recorded if index == 0 else contextlib.nullcontext():
                mark = time.monotonic()
                # Drain: no new requests go to it; wait until what it serves has ended.
                proxy.command(f"set server nodes/{name} state drain")
                commands.RECORDER.note(f"wait until `show stat` gives {name} no current session")
                deadline = time.monotonic() + containers.STOP_SECONDS
                while int(proxy.servers()[name]["scur"]) and time.monotonic() < deadline:
                    time.sleep(0.05)
                phases["drain"] += time.monotonic() - mark
                stop, start = replace_node(nodes, index)
                phases["stop"] += stop
                phases["start"] += start
                mark = time.monotonic()
                proxy.command(f"set server nodes/{name} state ready")
                proxy.wait_for(name, lambda s: s == "UP", limit=30)
                phases["up"] += time.monotonic() - mark
    failures = load.failed("GET") + load.failed("POST")
    assert not failures, f"{len(failures)} requests failed: {[s.status for s in failures][:10]}"
    check_posts_stored_once(load, database_url)
    return {
        "gets": len(load.of("GET")),
        "posts": len(load.of("POST")),
        "failures": 0,
        "seconds": time.monotonic() - began,
        "phases": ", ".join(f"{k} {v / len(nodes):.1f} s" for k, v in phases.items()),
    }


# --- metrics -------------------------------------------------------------------------------


def scrape(box: containers.Container, token: str) -> str:
    """One node's /metrics, asked for with curl as a Prometheus server would."""
    return containers.run(
        ["curl", "--fail", "--silent", "--show-error", "--max-time", "30"]
        + ["--header", f"Authorization: Bearer {token}", "--header", "X-Forwarded-Proto: https"]
        + [f"{box.url}/metrics"],
        timeout=60,
    ).stdout


def article_views(text: str) -> int:
    from prometheus_client.parser import text_string_to_metric_families

    wanted = {"method": "GET", "status": "200", "view": "articles:detail"}
    return int(
        sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "hartrehab_requests_total" and sample.labels == wanted
        )
    )


def check_metrics_of_every_node(nodes, proxy: Proxy, token: str) -> dict:
    """Article GETs through the proxy (round robin), then a scrape of each node: each counts
    the views it served, together at least those sent."""
    sent = [Patient(proxy).get(f"/articles/{ARTICLE}/") for _ in range(NODES * 4)]
    assert all(a.status == 200 for a in sent), [a.status for a in sent]
    with commands.RECORDER.step("A metrics scrape of each node"):
        counts = {f"node{i}": article_views(scrape(box, token)) for i, box in enumerate(nodes, 1)}
    assert all(n > 0 for n in counts.values()), f"a node counted no article view: {counts}"
    assert sum(counts.values()) >= len(sent), f"fewer views counted than sent: {counts}"
    return {"gets": len(sent), "views": counts}


# --- the edge cache ------------------------------------------------------------------------


def edge_get(edge: varnish.Varnish, path: str) -> tuple[int, dict[str, str], str]:
    """One GET through Varnish (plain HTTP on loopback): status, headers, page text."""
    conn = http.client.HTTPConnection("127.0.0.1", edge.port, timeout=40)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        body = response.read().decode(errors="replace")
    except (OSError, http.client.HTTPException) as error:
        return 0, {}, f"{type(error).__name__}: {error}"
    finally:
        conn.close()
    return response.status, dict(response.getheaders()), body


def run_worker(env: dict[str, str]) -> None:
    """The task worker in a container of its own (the image, the nodes' environment, another
    command), until its queue is empty (the purge a publish stored)."""
    containers.one_off(env, "python", "manage.py", "db_worker", "--batch", "--no-startup-delay")


def check_publish_purges_the_edge(nodes, edge: varnish.Varnish, run_id: str) -> dict:
    path = f"/articles/{ARTICLE}/"
    edge_get(edge, path)
    status, headers, _ = edge_get(edge, path)
    assert status == 200 and headers.get("X-Cache") == "hit", f"not kept: {status} {headers}"
    marker = f"Published behind the edge {run_id}."
    number = containers.publish(box=nodes[1], slug=ARTICLE, marker=marker)
    began = time.monotonic()
    with commands.RECORDER.step("The task worker (here once, right after a publish)"):
        run_worker(nodes[2].env)
    purged = time.monotonic() - began
    status, headers, body = edge_get(edge, path)
    assert status == 200 and marker in page_text(body), "the edge served the old version"
    again = [edge_get(edge, path) for _ in range(5)]
    hits = sum(1 for _, h, _ in again if h.get("X-Cache") == "hit")
    assert all(marker in page_text(b) for _, _, b in again)
    return {"version": number, "purge_seconds": purged, "hits": hits, "requests": 7 + len(again)}


def check_served_with_every_node_stopped(nodes, proxy: Proxy, edge: varnish.Varnish) -> dict:
    path = f"/articles/{ARTICLE}/"
    status, _, before = edge_get(edge, path)
    assert status == 200 and edge_get(edge, "/")[0] == 200
    began = time.monotonic()
    for box in nodes:
        containers.remove(box)
    for i in range(1, len(nodes) + 1):
        proxy.wait_for(f"node{i}", lambda s: s.startswith("DOWN"), limit=MARK_DOWN_LIMIT_SECONDS)
    all_down = time.monotonic() - began
    direct = Patient(proxy).get(path)
    assert direct.status >= 500, f"the proxy still answered {direct.status} with no node"
    # Past fresh and background-refresh time: only stale-if-error can serve it now.
    time.sleep(EDGE_S_MAXAGE + EDGE_STALE_WHILE_REVALIDATE + 1)
    answers = [edge_get(edge, p) for p in [path] * 15 + ["/"] * 5]
    failed = [s for s, _, _ in answers if s != 200]
    assert not failed, f"{len(failed)} of {len(answers)} GETs failed: {failed[:5]}"
    assert all(page_text(b) == page_text(before) for _, _, b in answers[:15]), "another page"
    ages = [int(h.get("Age", "0")) for _, h, _ in answers]
    assert min(ages) > EDGE_S_MAXAGE, f"not stale: ages {ages}"
    return {
        "requests": len(answers),
        "all_down_seconds": all_down,
        "min_age": min(ages),
        "proxy_status": direct.status,
    }


# --- the report ----------------------------------------------------------------------------


def write_report(figures: dict, total: float) -> None:
    pub, rate, kill, roll, metrics, edge, down = (
        figures[k] for k in ("publish", "rate", "kill", "rolling", "metrics", "edge", "down")
    )
    rows = [
        (
            "publish through node 1, then the article from every node",
            f"{pub['requests']} GETs",
            "0 stale",
            f"v{pub['version']} served by all {NODES} nodes on their next requests",
        ),
        (
            f"one patient's contact POSTs (limit {RATE_LIMIT}), spread over the nodes",
            f"{rate['posts']} POSTs",
            f"{rate['refused']} refused (429), as it must",
            "requests per node: "
            + ", ".join(f"{k} {v}" for k, v in rate["served"].items())
            + "; another patient still accepted",
        ),
        (
            "`kill -9` of node 2 during a burst",
            f"{kill['gets']} GETs, {kill['posts']} POSTs",
            f"{kill['get_failures']} GETs, {kill['post_failures']} POSTs"
            + (
                f" ({kill['post_failure_statuses']}, with the error page)"
                if kill["post_failures"]
                else ""
            ),
            f"marked down after {kill['mark_down_seconds']:.1f} s; 0 failed of "
            f"{kill['gets_after_down']} GETs after that; every 303 stored once; "
            f"{kill['failed_but_stored']} failed POSTs were stored anyway (at most once)",
        ),
        (
            "rolling restart, one node at a time (drain, SIGTERM, new container, ready)",
            f"{roll['gets']} GETs, {roll['posts']} POSTs",
            "0",
            f"{roll['seconds']:.0f} s for {NODES} nodes; per node on average: {roll['phases']}",
        ),
        (
            "article GETs through the proxy, then a scrape of each node's `/metrics` (curl, "
            "`METRICS_TOKEN`)",
            f"{metrics['gets']} GETs, {NODES} scrapes",
            "0",
            "article views each node counted since its restart: "
            + ", ".join(f"{k} {v}" for k, v in metrics["views"].items()),
        ),
        (
            "through Varnish: the article kept, published through node 2, the worker purges",
            f"{edge['requests']} GETs",
            "0 stale",
            f"v{edge['version']} on the first GET after the purge (sent "
            f"{edge['purge_seconds']:.1f} s after the publish, by a worker container); "
            f"{edge['hits']} of the next 5 GETs from the cache",
        ),
        (
            f"through Varnish with all {NODES} nodes stopped",
            f"{down['requests']} GETs (article, home)",
            "0",
            f"nodes marked down after {down['all_down_seconds']:.1f} s, the proxy alone "
            f"answers {down['proxy_status']}; Varnish served its copies, at least "
            f"{down['min_age']} s old (fresh for {EDGE_S_MAXAGE} s: stale-if-error)",
        ),
    ]
    table = "\n".join(f"| {' | '.join(row)} |" for row in rows)
    REPORT.write_text(
        REPORT_TEMPLATE.format(
            date=datetime.date.today().isoformat(),
            total=total,
            nodes=NODES,
            workers=containers.WORKERS,
            haproxy=haproxy_version(),
            get_threads=GET_THREADS,
            post_threads=POST_THREADS,
            before_kill=BEFORE_KILL_SECONDS,
            after_down=AFTER_DOWN_SECONDS,
            table=table,
            varnish=varnish_version(),
            s_maxage=EDGE_S_MAXAGE,
            commands=commands.RECORDER.markdown(),
        )
    )


REPORT_TEMPLATE = """# Several nodes behind HAProxy

Written by `make cluster-test` ({date}, {total:.0f} s in all).

It starts {nodes} containers of the image (podman, {workers} gunicorn workers each) on
loopback ports, sharing one PostgreSQL database and one Redis, behind HAProxy {haproxy}
running `deploy/haproxy.cfg` with a self-signed TLS certificate made for the run. HAProxy
checks `/healthz` every second (2 failures mark a node down), sends a request whose
connection failed to another node whatever its method, retries GET and HEAD only when a node
failed mid-answer, and gives each node the patient's address with the PROXY protocol
(`GUNICORN_PROXY_PROTOCOL=auto`). Every request went to 127.0.0.1; each simulated patient
had an address of their own in 127.0.0.0/8. The burst: {get_threads} GET and
{post_threads} POST loops (each POST loads the form first), the node killed {before_kill:.0f} s
in, the load kept up {after_down:.0f} s after the proxy marked it down.

Varnish {varnish} runs `deploy/varnish.vcl` in front of the proxy's plain-HTTP `edge`
listener; the nodes run with `FRONTCACHE_PURGE_LOCATIONS` pointing at it and
`FRONTCACHE_S_MAXAGE={s_maxage}` (so the origin-down row needs no long wait). The purge is sent
by the task worker (the image with the command `manage.py db_worker --batch`, a container of
its own run once right after the publish: in production the worker polls continuously), never
by the publishing request.

| what | requests | failed | figures |
| --- | --- | --- | --- |
{table}

A POST in flight on the node that was killed cannot be resent safely (it may have been
stored), so HAProxy answers it with `deploy/errors/unavailable.http`: a page saying the
request may not have reached the clinic, with the crisis lines. The test checks that each
failed POST got that page (or the site's own error page) and was stored at most once.

## Commands this run used

Each step's command lines, recorded by `make cluster-test` from the very argument lists (and
environments) it handed to subprocess (`tools/commands.py`), in the order they ran; the
queries it polls (`podman inspect`, `show stat`) are left out. A `#` line says what a step
wrote or sent without a command line: a file, SQL through psycopg, a Redis command, a line on
HAProxy's runtime API socket. Secret values show as `…`. What changes from run to run shows
as a name: `$NODE1_PORT`… and `$HTTPS_PORT`, `$HAPROXY_EDGE_PORT`, `$VARNISH_PORT` (free
loopback ports), `$NODE1`… (container names), `$DATABASE`, `$RUN_DIR`, `$VARNISH_DIR` and
`$ENV_FILE` (temporary folders and files); paths are relative to the repository's root.
`env -i` marks a process given exactly the environment shown.

{commands}"""


def varnish_version() -> str:
    out = containers.run([varnish.binary(), "-V"], check=False)
    text = out.stdout + out.stderr
    return text.split("varnish-", 1)[1].split()[0] if "varnish-" in text else "varnish"


def haproxy_version() -> str:
    out = containers.run(["haproxy", "-v"]).stdout
    return out.split()[2] if out else "haproxy"


# --- main ----------------------------------------------------------------------------------


def flush_redis() -> None:
    import redis

    commands.RECORDER.sent(f"Redis ({REDIS_URL}, redis-py)", "FLUSHDB")
    redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()


def main() -> int:
    steps = Steps("cluster-test")
    record = commands.RECORDER
    record.name(f"{ROOT}/", "")  # paths as seen from the repository's root
    record.name(ROOT, ".")
    record.name(os.environ["PATH"], "$PATH")
    run_id = secrets.token_hex(4)
    figures: dict = {}
    with contextlib.ExitStack() as cleanup:
        with steps("base image and build"), record.step("The image, built with podman"):
            base = containers.ensure_base_image()
            say("   " + base)
            record.note(f"base image: {base}")
            containers.build_image()
        with (
            steps("PostgreSQL database and Redis"),
            record.step("PostgreSQL (a database of the run's own) and Redis (database 11)"),
        ):
            database_url = cleanup.enter_context(containers.database("cluster_test"))
            record.name(database_url.rsplit("/", 1)[1], "$DATABASE")
            flush_redis()
            cleanup.callback(flush_redis)
        folder = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="hartrehab-")))
        https_port = free_port()
        edge_port, haproxy_edge_port = free_port(), free_port()
        metrics_token = secrets.token_urlsafe(24)
        record.name(folder, "$RUN_DIR")
        record.name(https_port, "$HTTPS_PORT")
        record.name(edge_port, "$VARNISH_PORT")
        record.name(haproxy_edge_port, "$HAPROXY_EDGE_PORT")
        env = containers.site_env(
            database_url,
            REDIS_URL=REDIS_URL,
            SITE_URL=f"https://127.0.0.1:{https_port}",
            DJANGO_SECURE_SSL_REDIRECT="1",
            DJANGO_SECURE_COOKIES="1",
            DJANGO_SECURE_PROXY_SSL_HEADER="1",
            GUNICORN_PROXY_PROTOCOL="auto",
            INTAKE_MIN_SECONDS="0",
            INTAKE_RATE_LIMIT=str(RATE_LIMIT),
            FRONTCACHE_PURGE_LOCATIONS=f"http://127.0.0.1:{edge_port}",
            FRONTCACHE_S_MAXAGE=str(EDGE_S_MAXAGE),
            FRONTCACHE_STALE_WHILE_REVALIDATE=str(EDGE_STALE_WHILE_REVALIDATE),
            METRICS_TOKEN=metrics_token,
        )
        record.hide_secrets_of(env)
        nodes: list[containers.Container] = []
        cleanup.callback(lambda: [containers.remove(box) for box in nodes])
        with (
            steps(f"start {NODES} nodes (the first migrates and loads content)"),
            record.step(f"{NODES} web nodes (the first migrates and loads the content)"),
        ):
            for i in range(NODES):
                extra = (
                    {"ENTRYPOINT_MIGRATE": "1", "ENTRYPOINT_LOAD_CONTENT": "1"} if i == 0 else {}
                )
                nodes.append(containers.new_container("hartrehab-node", {**env, **extra}))
                record.name(nodes[-1].name, f"$NODE{i + 1}")
                record.name(nodes[-1].port, f"$NODE{i + 1}_PORT")
                containers.start(nodes[-1])
        with (
            steps("HAProxy with TLS sees every node up"),
            record.step("HAProxy: TLS for patients, the PROXY protocol to the nodes"),
        ):
            proxy = cleanup.enter_context(
                haproxy(folder, nodes, port=https_port, edge_port=haproxy_edge_port)
            )
        with (
            steps("Varnish in front of the proxy"),
            record.step("Varnish in front of the proxy's plain-HTTP edge listener"),
        ):
            edge = cleanup.enter_context(varnish.running(haproxy_edge_port, port=edge_port))
            record.name(edge.folder, "$VARNISH_DIR")
        with steps("a publish through one node is served by every node"):
            figures["publish"] = check_publish_reaches_every_node(nodes, proxy, run_id)
        with steps("the intake rate limit holds across nodes, per patient"):
            figures["rate"] = check_rate_limit_across_nodes(proxy, database_url, run_id)
        with steps("kill -9 of a node during a burst"):
            figures["kill"] = check_node_killed_during_burst(nodes, proxy, database_url)
            say(f"   {figures['kill']}")
            replace_node(nodes, 1)
            proxy.wait_for("node2", lambda s: s == "UP", limit=30)
        with steps("rolling restart fails no request"):
            figures["rolling"] = check_rolling_restart(nodes, proxy, database_url)
            say(f"   {figures['rolling']}")
        with steps("a scrape of each node's /metrics counts what it served"):
            figures["metrics"] = check_metrics_of_every_node(nodes, proxy, metrics_token)
            say(f"   {figures['metrics']}")
        with steps("through Varnish, a publish is served on the first request after it"):
            figures["edge"] = check_publish_purges_the_edge(nodes, edge, run_id)
            say(f"   {figures['edge']}")
        with steps("through Varnish, the article is served with every node stopped"):
            figures["down"] = check_served_with_every_node_stopped(nodes, proxy, edge)
            say(f"   {figures['down']}")
        with steps("write docs/DEPLOY.md"):
            write_report(figures, steps.total())
    say(steps.summary())
    return 0


if __name__ == "__main__":
    containers.run_checks("cluster-test", main)
