"""The `modelgate` console script: scan, hash, compare, report, profile."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from pytest_modelgate._numbers import format_number as _num

from .exceptions import ModelGateError

__all__ = ["main"]


def _cmd_compare(args: argparse.Namespace) -> int:
    """Exit 0, or 1 with --strict when a result blocks its run (`is_blocking`); a report or
    output path that cannot be used is a usage error (exit 2, from `main`)."""
    from .exceptions import ConfigError
    from .report import (
        any_blocking,
        compare_reports,
        load_report,
        render_compare_markdown,
        render_compare_terminal,
    )

    reports = [(path, load_report(path)) for path in args.reports]
    cmp = compare_reports(reports)
    markdown = args.markdown or args.format == "markdown"
    text = render_compare_markdown(cmp) if markdown else render_compare_terminal(cmp)
    if args.output:
        from ._atomic import atomic_write_text

        try:
            atomic_write_text(args.output, text)
        except OSError as exc:
            raise ConfigError(f"-o {args.output}: cannot write it ({exc.strerror or exc}); "
                              "choose a writable file path") from None
    else:
        sys.stdout.write(text)
    return 1 if (args.strict and any_blocking([rep for _, rep in reports])) else 0


def _cmd_report(args: argparse.Namespace) -> int:
    """Rebuild the HTML report from a JSON report: the same bytes `--modelgate-html` wrote."""
    from ._atomic import atomic_write_text
    from .exceptions import ConfigError
    from .report import load_report, render_html_document

    html = render_html_document(load_report(args.report))
    try:
        atomic_write_text(args.output, html)
    except OSError as exc:
        raise ConfigError(f"-o {args.output}: cannot write it ({exc.strerror or exc}); "
                          "choose a writable file path") from None
    print(f"modelgate: wrote {args.output}")
    return 0


def _cmd_scan(args: argparse.Namespace) -> int:
    from .security import cli_scan

    return cli_scan(list(args.paths), as_json=args.json, max_seconds=args.max_seconds,
                    max_total_seconds=args.max_total_seconds)


def _cmd_hash(args: argparse.Namespace) -> int:
    from .security import cli_hash

    return cli_hash(list(args.paths))


def _merge_files(paths: Sequence[str], output: str) -> Any:
    """`modelgate profile --merge A B ... -o OUT`: profiles of disjoint rows into one."""
    from dataclasses import replace
    from pathlib import Path

    from .drift import Profile
    from .drift._profile import merge_profiles

    parts = [Profile.load(p) for p in paths]
    prof = merge_profiles(parts)
    prof = replace(prof, meta={**prof.meta, "merged_from": [Path(p).name for p in paths]})
    prof.save(output)
    return prof


def _profile_engine(args: argparse.Namespace, categorical: list[str] | None,
                    options: dict[str, Any]) -> Any:
    """`--engine dask|spark`: read DATA (Parquet file, directory or glob) on that engine."""
    from .exceptions import InputError

    if args.engine == "dask":
        from .drift._dask import _require, profile_dask

        _require()
        client = None
        if args.scheduler:
            from distributed import Client

            try:
                client = Client(args.scheduler, timeout="30s")
            except (OSError, ValueError) as exc:  # TimeoutError is an OSError
                raise InputError(f"--scheduler {args.scheduler}: cannot connect "
                                 f"({' '.join(str(exc).split()) or type(exc).__name__})"
                                 ) from None
        try:
            return profile_dask(args.data, categorical=categorical, sketch=args.sketch,
                                **options)
        finally:
            if client is not None:
                client.close()
    from .drift._spark import _require as _require_spark
    from .drift._spark import profile_spark

    sql = _require_spark()
    spark = sql.SparkSession.builder.appName("modelgate profile").getOrCreate()
    try:
        frame = spark.read.parquet(args.data)
    except Exception as exc:
        raise InputError(f"data {args.data!r} cannot be read as Parquet by Spark: "
                         f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                         ) from None
    return profile_spark(frame, categorical=categorical, sketch=args.sketch, **options)


def _cmd_profile(args: argparse.Namespace) -> int:
    from .drift import profile_file
    from .drift._profile import check_output_path
    from .exceptions import ConfigError

    if args.merge and args.data:
        raise ConfigError(f"give either DATA ({args.data}) or --merge PROFILE..., not both")
    if not args.merge and not args.data:
        raise ConfigError("give DATA to profile, or --merge PROFILE PROFILE... to combine "
                          "profiles")
    check_output_path(args.output, "-o")
    if args.scheduler and args.engine != "dask":
        raise ConfigError("--scheduler is for --engine dask")
    if args.merge:
        prof = _merge_files(args.merge, args.output)
        print(f"modelgate: merged {_num(len(args.merge))} profiles ({_num(prof.n_rows)} rows, "
              f"{_num(len(prof.columns))} columns) into {args.output}{_sketch_note(prof)}")
        return 0
    categorical = [c for c in (args.categorical or "").split(",") if c] or None
    options = {} if args.kll_k is None else {"kll_k": args.kll_k}
    if args.engine == "local":
        prof = profile_file(args.data, args.output, categorical=categorical, sketch=args.sketch,
                            **options)
    else:
        from dataclasses import replace
        from pathlib import Path

        prof = _profile_engine(args, categorical, options)
        prof = replace(prof, meta={**prof.meta, "source": Path(args.data).name,
                                   "engine": args.engine})
        prof.save(args.output)
    n_columns = len(getattr(prof, "columns", ()))
    print(f"modelgate: wrote profile of {_num(n_columns)} columns to {args.output}"
          f"{_sketch_note(prof)}")
    return 0


def _sketch_note(prof: Any) -> str:
    sketched = [s for s in prof.columns.values() if not s.exact]
    note = ""
    if sketched:
        err = max(s.rank_error for s in sketched)
        how = "99% confidence" if prof.sketch == "kll" else "deterministic"
        note = (f"; {len(sketched)} sketched with {prof.sketch} "
                f"(rank error <= {_num(err, digits=2)}, {how})")
    return note


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="modelgate", description="pytest-modelgate tools (the gates themselves run in pytest)"
    )
    parser.add_argument("--version", action="version", version=f"pytest-modelgate {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("compare", help="side-by-side table of gate reports (e.g. one per tox env)")
    p.add_argument("reports", nargs="+", metavar="REPORT.json")
    p.add_argument("--format", choices=("terminal", "markdown"), default="terminal",
                   help="terminal table (default) or Markdown for a pull-request comment")
    p.add_argument("--markdown", action="store_true", help="the same as --format markdown")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when any result blocks its run (failed or errored, enforced, "
                        "not xfail; inconclusive per the run's policy); bad input exits 2")
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("report", help="rebuild the HTML report (charts included) from a JSON "
                                      "gate report")
    p.add_argument("report", metavar="REPORT.json")
    p.add_argument("-o", "--output", required=True, metavar="REPORT.html")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("scan", help="statically scan model artifacts; exit 1 when any is unsafe")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="machine-readable findings")
    p.add_argument("--max-seconds", type=float, metavar="S",
                   help="time limit per file (default 600); a file not scanned in time is "
                        "UNSAFE, never skipped")
    p.add_argument("--max-total-seconds", type=float, metavar="S",
                   help="time limit for the whole invocation, every path and directory together "
                        "(default 3600); files not scanned in time are UNSAFE, never skipped")
    p.set_defaults(func=_cmd_scan)

    p = sub.add_parser("hash", help="print a lock file of SHA-256 hashes: modelgate hash ... > modelgate.lock")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=_cmd_hash)

    p = sub.add_parser("profile", help="summarise reference data (CSV/Parquet) into a drift profile")
    p.add_argument("data", metavar="DATA", nargs="?",
                   help="CSV/TSV/Parquet file, or a directory of Parquet files (a partitioned "
                        "dataset)")
    p.add_argument("-o", "--output", required=True, metavar="PROFILE",
                   help="where to write the profile: a name ending in .json writes JSON "
                        "(readable, diffable); any other name (e.g. reference.npz, "
                        "recommended) the binary .npz: smaller and fast to load. Both load "
                        "wherever a profile is read")
    p.add_argument("--merge", nargs="+", metavar="PROFILE",
                   help="instead of DATA: merge profiles (.npz or JSON) built from disjoint "
                        "rows (e.g. one per partition or day) into one")
    p.add_argument("--engine", choices=("local", "dask", "spark"), default="local",
                   help="local: this process (default); dask / spark: read the Parquet DATA "
                        "with that engine and profile every partition on its workers "
                        "(pytest-modelgate[dask] / [spark])")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="--engine dask: the distributed scheduler to use (default: Dask's "
                        "default scheduler in this process)")
    p.add_argument("--categorical", help="comma-separated columns to treat as categorical")
    p.add_argument("--sketch", choices=("grid", "kll"), default="grid",
                   help="numeric columns above 100 000 values: deterministic quantile grid "
                        "(default) or Apache DataSketches KLL (pytest-modelgate[kll]; "
                        "randomized, merges without growing its error)")
    p.add_argument("--kll-k", type=int, metavar="K",
                   help="KLL size k, 8..65535: larger is more accurate and bigger "
                        "(default 2000: rank error 0.0014, about 45 kB per column)")
    p.set_defaults(func=_cmd_profile)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ModelGateError as exc:
        print(f"modelgate {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
