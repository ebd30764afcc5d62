"""A classroom on one playground server: what each tab feels with 1, 5 and 20 tabs training.

    python benchmarks/classroom.py [--tabs 1 5 20] [--workers 0 1 2] [--seconds 4]

For each number of worker processes (0: every session trains on the server's event
loop, as before ``--workers``) and each number of tabs, the server runs in a process of
its own (``fcnn.playground.classroom.served``), every tab plays (the default config:
the circle, 2-4-2 tanh, batch 10), and every tab times a ``ping`` or a control change
(``lr``) every 0.2 s; halfway through, a new tab is opened and timed to its first
``state``. The table gives the medians and 90th percentiles of those answers, the
training steps (mini-batches) a second of the median tab and of all of them, and
fairness (the slowest tab's rate over the fastest's).

The figures depend on the machine and on what else runs on it: give the cores and the
load with them.
"""

from __future__ import annotations

import argparse
import os

from table import row, table

from fcnn.playground.classroom import measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores, load average before: {load}\n")
    header = ["workers", "tabs", "ping median", "ping p90", "control median", "first state"]
    header += ["steps/s per tab", "steps/s, all tabs", "fairness"]
    print("\n".join(table(header, align="r" * len(header))))
    for workers in args.workers:
        for tabs in args.tabs:
            report = measure(tabs, workers, args.seconds)
            s = report.summary()
            ms = {k: f"{1000 * s[k]:.0f} ms" for k in s if k.endswith(("median", "p90"))}
            cells = [workers, tabs, ms["ping_median"], ms["ping_p90"], ms["control_median"]]
            cells += [f"{1000 * s['first_state']:.0f} ms", f"{s['steps_per_tab']:.0f}"]
            cells += [f"{s['steps_total']:.0f}", f"{s['fairness']:.2f}"]
            print(row(cells), flush=True)
            if report.errors:
                print(f"<!-- errors: {report.errors[:3]} -->")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average after: {load}")


if __name__ == "__main__":
    main()
