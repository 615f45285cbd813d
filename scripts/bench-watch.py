#!/usr/bin/env python3
"""Watches a `bench --only gateway_iperf3` run: which side is slow in a slow round (issue 14).

Once a second, until the bench JVM exits, one line: the CPU each busy thread of the JVM took over
the last second (the TUN reader "netstack4j-rx-*", virtual-thread carriers "ForkJoinPool-*", the JIT
"C1/C2 CompilerThre", GC), then `ss -ti` of the iperf3 senders inside the bench's client
namespaces (nsjg*-cg: the gateway, nsjg*-cs: slirp4netns) and of this namespace's connections to
the server (the gateway's upstream socket): cwnd, rtt, rwnd_limited / sndbuf_limited (the share of
the sender's busy time it waited for the receiver's window or its own buffer), snd_wnd, notsent;
then the last "bench: round" line of the bench's log. The bench prints a round's line after the
run, so samples taken during round N's gateway run end in "round N kernel".

  java ... org.netstack4j.cli.Main bench --only gateway_iperf3 > bench.out 2>&1 &
  scripts/bench-watch.py $! watch.log bench.out
  scripts/bench-watch.py --summary watch.log bench.out   # per gateway round: Mbit/s, JVM CPU, rwnd_limited
"""
import collections
import os
import re
import subprocess
import sys
import time

SS = re.compile(r'(cwnd:\S+|rtt:\S+|delivery_rate \S+|rwnd_limited:\S+|sndbuf_limited:\S+|busy:\S+|snd_wnd:\S+|unacked:\S+|notsent:\S+|bytes_sent:\S+)')


def threads(pid):
    d = {}
    for t in os.listdir(f'/proc/{pid}/task'):
        try:
            st = open(f'/proc/{pid}/task/{t}/stat').read()
        except OSError:
            continue
        name = st[st.index('(') + 1:st.rindex(')')]
        f = st[st.rindex(')') + 2:].split()
        d[t] = (name, int(f[11]) + int(f[12]))  # utime + stime, clock ticks
    return d


def ss(prefix):
    r = subprocess.run(prefix + ['ss', '-tinH', 'dport', '=', '5201'], capture_output=True, text=True).stdout
    return ' '.join(SS.findall(' '.join(r.split())))


def watch(pid, out_path, bench_log):
    hz = os.sysconf('SC_CLK_TCK')
    prev = {}
    with open(out_path, 'w') as out:
        while os.path.exists(f'/proc/{pid}'):
            t0 = time.time()
            try:
                now = threads(pid)
            except OSError:
                break
            busy = [(n, (c - prev[t][1]) / hz) for t, (n, c) in now.items() if t in prev and c - prev[t][1] > 0]
            prev = now
            line = f'{t0:.1f} cpu ' + ' '.join(f'{n}:{c:.2f}' for n, c in sorted(busy, key=lambda x: -x[1]))
            for ns in subprocess.run(['ip', 'netns', 'list'], capture_output=True, text=True).stdout.split('\n'):
                ns = ns.split(' ')[0]
                if re.match(r'nsjg\d+-c[gs]$', ns):
                    s = ss(['ip', 'netns', 'exec', ns])
                    if s:
                        line += f' | {ns[-2:]} {s}'
            s = ss([])
            if s:
                line += ' | host ' + s
            try:
                rounds = [l for l in open(bench_log).read().splitlines() if l.startswith('bench: round')]
                line += ' || ' + (rounds[-1] if rounds else '-')
            except OSError:
                pass
            out.write(line + '\n')
            out.flush()
            time.sleep(max(0.0, 1.0 - (time.time() - t0)))


def summary(watch_log, bench_log):
    rates = dict(re.findall(r'round (\d) gateway (\d+)', open(bench_log).read()))
    seg = collections.defaultdict(list)
    for l in open(watch_log):
        m = re.search(r'\|\| bench: round (\d) kernel', l)
        if not m or ' cg ' not in l:
            continue
        kinds = collections.Counter()
        for name, v in re.findall(r'(\S+(?: CompilerThre)?):(\d+\.\d+)', l.split('|')[0]):
            k = 'rx' if name.startswith('netstack4j-rx') else 'carriers' if name.startswith('ForkJoin') \
                else 'jit' if 'Compiler' in name else 'other'
            kinds[k] += float(v)
        rw = re.findall(r'rwnd_limited:\d+ms\((\d+\.\d)%\)', l.split(' cg ')[1].split('|')[0])
        seg[m.group(1)].append((kinds, rw[-1] if rw else '-'))
    for r in sorted(seg):
        s = seg[r]
        avg = {k: sum(x[0][k] for x in s) / len(s) for k in ('rx', 'carriers', 'jit', 'other')}
        print(f"round {r}: gateway {rates.get(r, '?')} Mbit/s; JVM {sum(avg.values()):.2f} cores (reader {avg['rx']:.2f}, "
              f"carriers {avg['carriers']:.2f}, JIT {avg['jit']:.2f}, other {avg['other']:.2f}); client rwnd_limited {s[-1][1]}%")


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == '--summary':
        summary(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4:
        watch(int(sys.argv[1]), sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
