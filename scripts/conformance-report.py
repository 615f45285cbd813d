#!/usr/bin/env python3
"""Writes CONFORMANCE.md from a packetdrill JSON report.

Usage: ./netstack4j packetdrill --json /tmp/pd.json ../shared/conformance/packetdrill
       scripts/conformance-report.py /tmp/pd.json > CONFORMANCE.md
The 'Baseline' line is what CI's ratchet (packetdrill CorpusTest) holds the stack to: the
corpus run fails when fewer scripts pass. Raise it when more pass; never lower it.
"""
import json, sys

report = json.load(open(sys.argv[1]))
marker = "conformance/packetdrill/"
def rel(p):
    return p.split(marker, 1)[1] if marker in p else p

total = report["passed"] + report["failed"] + report["skipped"]
print("# Conformance: packetdrill corpus\n")
print("`./netstack4j packetdrill ../shared/conformance/packetdrill` runs every script of the shared")
print("corpus (FreeBSD's tcp-testsuite, Google's and nplab's packetdrill tests, gVisor's) against a")
print("fresh netstack4j stack in virtual time. The profile (FreeBSD-like or Linux-like stack")
print("configuration) is chosen per script from its own markers.\n")
print(f"Baseline: {report['passed']} scripts pass\n")
print(f"{report['passed']} passed, {report['failed']} failed, {report['skipped']} skipped, of {total}.\n")
print("CI (`CorpusTest` in module packetdrill) fails when fewer scripts pass than the baseline, or when a")
print("script that does not pass is missing from the list below. Regenerate this file with")
print("`scripts/conformance-report.py` (see its header).\n")
print("## Scripts that do not pass\n")
print("| script | status | line | profile | reason |")
print("|---|---|---|---|---|")
for s in report["scripts"]:
    if s["status"] == "PASS":
        continue
    msg = s.get("message", "").replace("|", "\\|").replace("\n", " ")
    if len(msg) > 300:
        msg = msg[:300] + "…"
    print(f"| `{rel(s['path'])}` | {s['status']} | {s.get('line') or ''} | {s.get('profile') or ''} | {msg} |")
