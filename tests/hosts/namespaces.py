"""Hosts on this machine: one network namespace per host, each with one
"cable" (a veth pair) into a switch (a bridge inside a namespace of its own),
so the root namespace gains one link only, with the test's address on it.
Cutting a host sets its cable's switch end down: the host's link loses its
carrier and its packets are dropped, as when a cable is pulled (connections
hang, nothing is refused).

Everything is named `lh<pid>-...` after the test process: leftovers of a run
that was killed are found by their dead pid and removed before the next run."""
from __future__ import annotations

import ipaddress
import os
import re
import shutil
import signal
import subprocess
import time

PREFIX = "lh"
NAME = re.compile(rf"^{PREFIX}(\d+)-")


def unavailable() -> str | None:
    """Why hosts cannot be built here, or None."""
    if os.geteuid() != 0:
        return "network namespaces need root (ip netns add)"
    if shutil.which("ip") is None or shutil.which("unshare") is None:
        return "iproute2 (ip) and util-linux (unshare) are needed"
    probe = f"{PREFIX}{os.getpid()}-probe"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True)
    if made.returncode:
        return f"ip netns add failed: {made.stderr.decode(errors='replace').strip()}"
    subprocess.run(["ip", "netns", "delete", probe], capture_output=True)
    return None


def ip(*args: str) -> str:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if done.returncode:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _namespaces() -> list[str]:
    return [line.split()[0] for line in ip("netns", "list").splitlines() if line.strip()]


def _empty(namespace: str) -> None:
    """SIGKILL every process left in one of our namespaces (only ours live there)."""
    for _ in range(50):
        pids = [int(p) for p in ip("netns", "pids", namespace).split()]
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)


def _remove(namespace: str) -> None:
    try:
        _empty(namespace)
    finally:
        subprocess.run(["ip", "netns", "delete", namespace], capture_output=True, timeout=30)


def sweep_leftovers() -> list[str]:
    """Remove namespaces and root links of earlier runs whose process is gone."""
    removed = []
    for name in _namespaces():
        found = NAME.match(name)
        if found and not _alive(int(found.group(1))):
            _remove(name)
            removed.append(name)
    for line in ip("-o", "link", "show").splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        found = NAME.match(name)
        if found and not _alive(int(found.group(1))):
            subprocess.run(["ip", "link", "delete", name], capture_output=True, timeout=30)
            removed.append(name)
    return removed


def ours() -> list[str]:
    """Namespaces and root links named by this process (empty after cleanup)."""
    mine = f"{PREFIX}{os.getpid()}-"
    links = [line.split(":")[1].strip().split("@")[0] for line in ip("-o", "link", "show").splitlines()]
    return [n for n in _namespaces() + links if n.startswith(mine)]


def free_subnet() -> ipaddress.IPv4Network:
    """A 10.217.x.0/24 that no route or address on this machine touches."""
    used = []
    for line in ip("-4", "route", "show", "table", "all").splitlines() + ip("-4", "-o", "addr").splitlines():
        for word in line.split():
            try:
                used.append(ipaddress.ip_network(word, strict=False))
            except ValueError:
                pass
    for x in range(10, 250):
        net = ipaddress.ip_network(f"10.217.{x}.0/24")
        if not any(net.overlaps(u) for u in used if u.prefixlen > 0):
            return net
    raise RuntimeError("no free 10.217.x.0/24")


class Network:
    """The switch, the root namespace's link into it, and the hosts."""

    def __init__(self) -> None:
        self.prefix = f"{PREFIX}{os.getpid()}-"
        self.subnet = free_subnet()
        self.hosts: dict[str, str] = {}  # host name -> address
        self.switch = self.prefix + "sw"
        self.root = self.prefix + "up"
        ip("netns", "add", self.switch)
        ip("-n", self.switch, "link", "add", "name", "br0", "type", "bridge")
        ip("-n", self.switch, "link", "set", "dev", "br0", "up")
        ip("link", "add", "name", self.root, "type", "veth", "peer", "name", "port-root", "netns", self.switch)
        ip("-n", self.switch, "link", "set", "dev", "port-root", "master", "br0", "up")
        self.address = str(self.subnet[1])  # the test process: the fake WeChat API, the load
        ip("addr", "add", f"{self.address}/24", "dev", self.root)
        ip("link", "set", "dev", self.root, "up")

    def namespace(self, host: str) -> str:
        return self.prefix + host

    def add(self, host: str, number: int) -> str:
        """A host with address .`number`; returns the address."""
        ns, port = self.namespace(host), f"port-{host}"
        ip("netns", "add", ns)
        ip("link", "add", "name", port, "netns", self.switch, "type", "veth", "peer", "name", "eth0", "netns", ns)
        ip("-n", self.switch, "link", "set", "dev", port, "master", "br0", "up")
        address = str(self.subnet[number])
        ip("-n", ns, "addr", "add", f"{address}/24", "dev", "eth0")
        ip("-n", ns, "link", "set", "dev", "eth0", "up")
        ip("-n", ns, "link", "set", "dev", "lo", "up")
        self.hosts[host] = address
        return address

    def run_in(self, host: str) -> tuple[str, ...]:
        """The command prefix that runs a program on `host`, under the host's
        own name (Celery names its workers after the machine)."""
        return ("ip", "netns", "exec", self.namespace(host), "unshare", "--uts", "--",
                "sh", "-c", 'hostname "$0" && exec "$@"', host)

    def cut(self, host: str) -> None:
        ip("-n", self.switch, "link", "set", "dev", f"port-{host}", "down")

    def restore(self, host: str) -> None:
        ip("-n", self.switch, "link", "set", "dev", f"port-{host}", "up")

    def close(self) -> None:
        """Kill what runs on the hosts and delete every namespace and link (the
        root link goes with its peer in the switch)."""
        for host in list(self.hosts):
            _remove(self.namespace(host))
        _remove(self.switch)
        subprocess.run(["ip", "link", "delete", self.root], capture_output=True, timeout=30)
