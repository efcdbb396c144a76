"""The `modelgate` console script: scan, hash, compare, profile."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

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
    text = render_compare_markdown(cmp) if args.markdown else render_compare_terminal(cmp)
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


def _cmd_scan(args: argparse.Namespace) -> int:
    from .security import cli_scan

    return cli_scan(list(args.paths), as_json=args.json, max_seconds=args.max_seconds,
                    max_total_seconds=args.max_total_seconds)


def _cmd_hash(args: argparse.Namespace) -> int:
    from .security import cli_hash

    return cli_hash(list(args.paths))


def _cmd_profile(args: argparse.Namespace) -> int:
    from .drift import profile_file
    from .drift._profile import check_output_path

    check_output_path(args.output, "-o")
    categorical = [c for c in (args.categorical or "").split(",") if c] or None
    options = {} if args.kll_k is None else {"kll_k": args.kll_k}
    prof = profile_file(args.data, args.output, categorical=categorical, sketch=args.sketch,
                        **options)
    n_columns = len(getattr(prof, "columns", ()))
    sketched = [s for s in prof.columns.values() if not s.exact]
    note = ""
    if sketched:
        err = max(s.rank_error for s in sketched)
        how = "99% confidence" if args.sketch == "kll" else "deterministic"
        note = (f"; {len(sketched)} sketched with {args.sketch} "
                f"(rank error <= {err:.2g}, {how})")
    print(f"modelgate: wrote profile of {n_columns} columns to {args.output}{note}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="modelgate", description="pytest-modelgate tools (the gates themselves run in pytest)"
    )
    parser.add_argument("--version", action="version", version=f"pytest-modelgate {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("compare", help="side-by-side table of gate reports (e.g. one per tox env)")
    p.add_argument("reports", nargs="+", metavar="REPORT.json")
    p.add_argument("--markdown", action="store_true", help="Markdown instead of a terminal table")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when any result blocks its run (failed or errored, enforced, "
                        "not xfail; inconclusive per the run's policy); bad input exits 2")
    p.set_defaults(func=_cmd_compare)

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
    p.add_argument("data", metavar="DATA")
    p.add_argument("-o", "--output", required=True, metavar="PROFILE")
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
