"""Baseline for the RPPS import: pandas parsing the same file, nothing else.

`pandas.read_csv` with its C parser is the usual yardstick for "reading a big CSV in
Python": it splits the same bytes into the same fields, but keeps everything in memory,
checks nothing and writes nothing. The ratio import / pandas therefore says what the
importer's streaming, validation, grouping and database writes cost on top of merely
reading the file. Run in its own child process by `bench/bench_rpps.py`, which measures
its wall time (interpreter and pandas import included, as the import's includes Python
and Django start-up) and its peak resident memory.

Usage: `raw_rpps.py FILE`; prints `{"rows": ..., "columns": ...}` on one line.
"""

import json
import sys

import pandas


def main() -> None:
    frame = pandas.read_csv(sys.argv[1], sep="|", dtype=str, encoding="utf-8",
                            keep_default_na=False)  # fmt: skip
    # The trailing "|" makes a 57th, empty and unnamed column.
    print(json.dumps({"rows": len(frame), "columns": len(frame.columns)}))


if __name__ == "__main__":
    main()
