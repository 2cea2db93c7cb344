#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# report.py DIR - reduce the samples that bench-guest.sh printed on both
# kernels (DIR/raw-ours.txt, DIR/raw-upstream.txt) to one table of medians
# with their spread and the ratio ours/upstream; write DIR/results.csv,
# DIR/results.json and, when matplotlib is available, one PNG chart per
# scaling series.

import json
import os
import statistics
import sys

CORES = ('ours', 'upstream')

# metric, unit, label
METRICS = [
    ('call_unpatched_ns', 'ns', 'call: not patched'),
    ('call_hop_ns', 'ns', 'call: one hop out (floor)'),
    ('call_patched_ns', 'ns', 'call: patched'),
    ('call_alone_ns', 'ns', 'call: patched, one function'),
    ('call_transition_ns', 'ns', 'call: in transition'),
    ('call_handler_ns', 'ns', 'call: patched, settle=0 (ours)'),
    ('call_traced_ns', 'ns', 'call: patched and traced'),
    ('call_scatter_unpatched_ns', 'ns', 'call: not patched, 64 apart'),
    ('call_scatter_patched_ns', 'ns', 'call: patched, 64 apart (search)'),
] + [
    (f'{op}_{n}_s', 's', f'{op}: {n} function(s)')
    for n in (1, 10, 100, 1000)
    for op in ('enable', 'disable')
] + [
    (f'enable_with_{k}_s', 's', f'enable beside {k} patch(es)')
    for k in (1, 10, 50)
] + [
    (f'{op}_{t}_tasks_s', 's', f'{label}: {t} busy tasks')
    for t in (100, 1000)
    for op, label in (('transition', 'enable'), ('untransition', 'disable'),
                      ('patching', 'patching transition'),
                      ('unpatching', 'unpatching transition'))
] + [
    (f'shadow_{op}_{n}_ns', 'ns', f'shadow {op}: {n:,} live')
    for n in (1000, 100000, 1000000)
    for op in ('fill', 'get', 'alloc', 'free', 'chase', 'free_all')
] + [
    ('slab_per_func_b', 'B', 'slab per patched function'),
]

# Call costs against the unpatched call measured in the same round of
# the same boot: the boot-to-boot swing of the emulation cancels out.
CALL_RATIOS = [
    ('call_hop_ns', 'one hop out (floor)', 'call_unpatched_ns'),
    ('call_patched_ns', 'patched', 'call_unpatched_ns'),
    ('call_alone_ns', 'patched, one function', 'call_unpatched_ns'),
    ('call_transition_ns', 'in transition', 'call_unpatched_ns'),
    ('call_handler_ns', 'patched, settle=0', 'call_unpatched_ns'),
    ('call_traced_ns', 'patched and traced', 'call_unpatched_ns'),
    ('call_scatter_patched_ns', 'patched, 64 apart (search)',
     'call_scatter_unpatched_ns'),
]

NOTES = """How each row is measured (bench-guest.sh and the bench_* modules):
- call: in-kernel loop of 1e6 calls of a one-add function (bench_call),
  mean ns per call; "in transition" while a kthread asleep in another
  function of the patch keeps the transition open.  Ours settles a patched
  call once no transition runs (the trampoline returns to the replacement);
  "one function" is the patch of bench_call_fn() alone, whose trampoline
  has one function to tell apart, the others a patch of two; "settle=0" is
  the same patched call through our handler, and "traced" has the
  function tracer on the function as well, so ftrace's own caller and the
  handler run.  "one hop out (floor)" is the least any redirection
  at the fentry call can cost: the same function's call out to a stub on
  another page, which drops the return address and jumps to a copy of the
  function on a third page (bench_call_hop(), no livepatch involved); a
  jump where the trampolines return, one instruction less, which leaves
  the processor's return prediction one entry off the stack.
  "64 apart" calls 64 functions in turn (bench_scatter), pairs of which
  lie 64 KiB apart, and a patch of all of them: the hook group that ours
  makes of them gets the search head, as a large patch of functions
  scattered across vmlinux would.
- enable/disable N function(s): modprobe of a generated N-function patch
  until its "transition" reads 0; "echo 0 > enabled" until its sysfs
  directory is gone.  Idle VM.
- enable beside K patch(es): the same for a 20-function patch while K
  independent 20-function patches are enabled.
- busy tasks: T kthreads calling the patched function in loops (100 calls,
  then a 20 ms sleep) and T/10 user tasks reading a sysfs file that calls
  it; time to enable (disable) a patch of it, as above.  The busy tasks
  also slow the modprobe and the sysfs teardown down, so the "patching
  (unpatching) transition" rows take the transition alone, from the
  kernel log: "starting ... transition" to "... complete".
- shadow: "fill" is the mean ns per variable of making N variables in a
  row from none (the table grows meanwhile), "free_all" of freeing them
  with one klp_shadow_free_all() (for N below 1e5, means over rounds of
  N repeated until 1e5 were made, each freed before the next); in
  between, with N live, the mean ns of
  1e5 klp_shadow_get() on random live variables, and of 1e4
  klp_shadow_alloc() then klp_shadow_free() of new ones; "chase"
  is 1e5 reads of a random live variable's data through an array of
  pointers: two dependent random loads, the memory floor of a lookup.
- slab: /proc/meminfo Slab before and after enabling the 1000-function
  patch, divided by 1000."""


def load(path):
    samples = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[0] == 'BENCH':
                samples.setdefault(parts[1], []).append(float(parts[2]))
    return samples


def summary(values):
    if not values:
        return None
    return {'median': statistics.median(values), 'min': min(values),
            'max': max(values), 'n': len(values)}


def fmt(stat, unit):
    if stat is None:
        return '-'
    med = stat['median']
    if unit == 'x':
        return f'{med:.2f} [{stat["min"]:.2f}-{stat["max"]:.2f}]'
    if unit == 's':
        text = f'{med:.3f}'
        spread = f'{stat["min"]:.3f}-{stat["max"]:.3f}'
    else:
        text = f'{med:.1f}' if med < 1000 else f'{med:.0f}'
        spread = f'{stat["min"]:.1f}-{stat["max"]:.1f}' if med < 1000 else \
            f'{stat["min"]:.0f}-{stat["max"]:.0f}'
    return f'{text} [{spread}]'


def chart(path, title, xlabel, ylabel, series, logx=False, logy=False):
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, xs, ys in series:
        if xs:
            ax.plot(xs, ys, marker='o', label=label)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logx:
        ax.set_xscale('log')
    if logy:
        ax.set_yscale('log')
    ax.grid(True, which='both', alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def medians(results, core, keys_x):
    xs, ys = [], []
    for x, key in keys_x:
        stat = results[core].get(key)
        if stat:
            xs.append(x)
            ys.append(stat['median'])
    return xs, ys


def charts(out, results):
    made = []
    sizes = (1, 10, 100, 1000)
    series = []
    for core in CORES:
        for op in ('enable', 'disable'):
            xs, ys = medians(results, core,
                             [(n, f'{op}_{n}_s') for n in sizes])
            series.append((f'{op}, {core}', xs, ys))
    if chart(os.path.join(out, 'sizes.png'),
             'Enabling and disabling a patch', 'patched functions',
             'seconds (median)', series, logx=True, logy=True):
        made.append('sizes.png')

    series = [(core, *medians(results, core,
                              [(k, f'enable_with_{k}_s') for k in range(51)]))
              for core in CORES]
    if chart(os.path.join(out, 'independent.png'),
             'Enabling a 20-function patch beside K others',
             'K (independent patches already enabled)', 'seconds (median)',
             series):
        made.append('independent.png')

    series = []
    for core in CORES:
        for op in ('fill', 'get', 'alloc', 'free', 'chase', 'free_all'):
            xs, ys = medians(results, core,
                             [(n, f'shadow_{op}_{n}_ns')
                              for n in (1000, 100000, 1000000)])
            series.append((f'{op}, {core}', xs, ys))
    if chart(os.path.join(out, 'shadow.png'), 'Shadow variables',
             'live variables', 'ns per operation (median)', series,
             logx=True, logy=True):
        made.append('shadow.png')

    series = []
    for core in CORES:
        for op in ('transition', 'untransition', 'patching', 'unpatching'):
            xs, ys = medians(results, core,
                             [(t, f'{op}_{t}_tasks_s') for t in (100, 1000)])
            series.append((f'{op}, {core}', xs, ys))
    if chart(os.path.join(out, 'tasks.png'), 'Transitions under load',
             'kthreads calling the patched function', 'seconds (median)',
             series, logx=True):
        made.append('tasks.png')
    return made


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: report.py DIR')
    out = sys.argv[1]
    raw = {core: load(os.path.join(out, f'raw-{core}.txt')) for core in CORES}
    results = {core: {key: summary(vals) for key, vals in raw[core].items()}
               for core in CORES}

    rows = []
    for key, unit, what in METRICS:
        ours, upstream = results['ours'].get(key), results['upstream'].get(key)
        ratio = None
        if ours and upstream and upstream['median'] > 0:
            ratio = ours['median'] / upstream['median']
        rows.append((key, unit, what, ours, upstream, ratio))

    width = max(len(r[2]) for r in rows)
    print('Livepatch benchmarks: medians [min-max] of the samples; ratio = ours / upstream.')
    print('QEMU under TCG: absolute times are emulation times; compare the ratios,')
    print('which come from the same run on the same machine.\n')
    print(f'{"metric":<{width}}  {"unit":<4}  {"ours":>24}  {"upstream 6.1":>24}  ratio')
    for key, unit, what, ours, upstream, ratio in rows:
        r = f'{ratio:.3f}' if ratio is not None else '-'
        print(f'{what:<{width}}  {unit:<4}  {fmt(ours, unit):>24}  '
              f'{fmt(upstream, unit):>24}  {r}')
    print('\nCall cost / unpatched call of the same round (median [min-max]):')
    for key, what, base_key in CALL_RATIOS:
        cells = []
        for core in CORES:
            base, vals = raw[core].get(base_key), raw[core].get(key)
            stat = None
            if base and vals and len(base) == len(vals):
                stat = summary([v / b for v, b in zip(vals, base) if b > 0])
            cells.append(fmt(stat, 'x'))
        print(f'  {what:<{width - 2}}  {"":<4}  {cells[0]:>24}  {cells[1]:>24}')
    print('\n' + NOTES)

    with open(os.path.join(out, 'results.csv'), 'w') as f:
        f.write('metric,unit,core,median,min,max,samples\n')
        for core in CORES:
            for key, stat in sorted(results[core].items()):
                unit = next((u for k, u, _ in METRICS if k == key),
                            's' if key.endswith('_s') else 'ns')
                f.write(f'{key},{unit},{core},{stat["median"]},{stat["min"]},'
                        f'{stat["max"]},{stat["n"]}\n')
    with open(os.path.join(out, 'results.json'), 'w') as f:
        json.dump({'results': results, 'raw': raw}, f, indent=1, sort_keys=True)

    made = charts(out, results)
    print(f'\nraw samples and results.csv, results.json in {out}')
    if made:
        print('charts: ' + ', '.join(os.path.join(out, m) for m in made))
    else:
        print('charts: not drawn (python3-matplotlib is not installed)')


if __name__ == '__main__':
    main()
