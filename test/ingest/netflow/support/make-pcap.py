#!/usr/bin/python3
"""Writes a pcap of subscriber traffic with known byte totals (IP lengths) and prints them as JSON.

usage: make-pcap.py OUT.pcap [START_UNIX_TIME]  (packet times start there; default now)
"""
import json, random, sys
from scapy.all import Ether, IP, IPv6, TCP, UDP, Raw, wrpcap

random.seed(7)
subscribers = {
    # account id: addresses (a /32, two hosts of a /24, a host of a /64, a /128)
    1: ["100.64.0.10"],
    2: ["100.64.1.5", "100.64.1.77"],
    3: ["2001:db8:1::5", "2001:db8:1::abcd"],
    4: ["2001:db8:2::7"],
}
unowned = ["100.64.9.9"]
remote4, remote6 = "198.51.100.1", "2001:db8:ffff::1"
totals = {str(a): {"in": 0, "out": 0} for a in subscribers}
unattributed = 0
pkts = []
t = 1_700_000_000.0

def add(src, dst, sport, dport, size, proto):
    global t
    v6 = ":" in src
    l3 = IPv6(src=src, dst=dst) if v6 else IP(src=src, dst=dst)
    l4 = TCP(sport=sport, dport=dport, flags="A") if proto == "tcp" else UDP(sport=sport, dport=dport)
    p = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / l3 / l4 / Raw(b"x" * size)
    pkts.append(p)
    ip = p[IPv6] if v6 else p[IP]
    return len(bytes(ip))

for acct, addrs in subscribers.items():
    for i, a in enumerate(addrs):
        remote = remote6 if ":" in a else remote4
        for n in range(300):
            size = random.randint(0, 1200)
            proto = "tcp" if n % 2 else "udp"
            port = 10000 + i * 100 + n % 7
            totals[str(acct)]["out"] += add(a, remote, port, 443, size, proto)
            totals[str(acct)]["in"] += add(remote, a, 443, port, random.randint(0, 1400), proto)
# subscriber to subscriber: both accounts credited
for n in range(50):
    size = add("100.64.0.10", "100.64.1.5", 5000, 6000, 200 + n, "udp")
    totals["1"]["out"] += size
    totals["2"]["in"] += size
for n in range(40):
    unattributed += add(unowned[0], remote4, 7000, 53, 100, "udp")

# Interleave directions and subscribers at random: softflowd's 1-in-N sampling is deterministic
# (every Nth packet), so a periodic pattern would bias the sampled estimate.
random.shuffle(pkts)
import time
start = float(sys.argv[2]) if len(sys.argv) > 2 else time.time()
for i, p in enumerate(pkts):
    p.time = start + i * 0.001
wrpcap(sys.argv[1], pkts)
print(json.dumps({"totals": totals, "unattributed": unattributed, "packets": len(pkts)}))
