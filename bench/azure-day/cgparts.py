#!/usr/bin/env python3
"""Instructions per invocation by part, from two cachegrind runs of the Azure day.

Usage: cgparts.py FIRST_1H.cg FIRST_3H.cg INVOCATIONS [TOP]

The two files come from BenchmarkAzureDaySlice/1h and /3h under
`valgrind --tool=cachegrind --cache-sim=no` (docs/design/performance.md). Their
difference removes the fixed cost (reading the trace, building the model); dividing by
the invocations of hours 1-3 (1,154,720) gives instructions per invocation, summed by
part (event queue, trace arrivals, model, data plane, log/expm1) and listed by function
and source file. "other" is the Go runtime: a GC cycle falling in one slice and not the
other moves it by a few tens either way.
"""
import collections
import sys


def load(path):
    tot = collections.Counter()
    fl = fn = None
    for line in open(path):
        if line.startswith('fl='):
            fl = line[3:].strip()
        elif line.startswith('fn='):
            fn = line[3:].strip()
        elif line[:1].isdigit():
            parts = line.split()
            if len(parts) >= 2:
                tot[(fl, fn)] += int(parts[1])
    return tot


def part(fl, fn):
    if '/sim/' in fl or 'enisim/sim.' in fn:
        return 'event queue (sim)'
    if '/traces/' in fl or 'enisim/traces.' in fn or 'traceArrivals' in fn or 'scenarios.(*merged)' in fn:
        return 'trace arrivals'
    if '/model/dataplane/' in fl or 'model/dataplane.' in fn:
        return 'data plane'
    if '/model/' in fl or 'enisim/model.' in fn:
        return 'model'
    if fn.startswith('math.') or '/src/math/' in fl:
        return 'log/expm1 (trace arrivals)'
    return 'other (runtime)'


def main():
    a, b, n = load(sys.argv[1]), load(sys.argv[2]), float(sys.argv[3])
    top = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    d = collections.Counter({k: b[k] - a[k] for k in set(a) | set(b)})
    parts = collections.Counter()
    for (fl, fn), v in d.items():
        parts[part(fl, fn)] += v
    print('instructions per invocation: %.0f' % (sum(d.values()) / n))
    for p, v in parts.most_common():
        print('  %-28s %7.0f' % (p, v / n))
    print()
    for (fl, fn), v in d.most_common(top):
        print('%8.1f  %s  (%s)' % (v / n, fn, fl))


if __name__ == '__main__':
    main()
