"""Security engine: static artifact scanner, hashes and lock files, safe loading, robustness,
input-boundary and membership-leakage checks. Never imports pytest; never unpickles to scan."""

from __future__ import annotations

from .cli import cli_hash, cli_scan
from .findings import SEVERITIES, Finding, ScanResult
from .integrity import check_lock, read_lock, sha256_file, write_lock
from .policy import Policy, default_policy, parse_allow
from .safe_load import load_joblib_safely, load_pickle_safely, load_skops_safely, require_safe
from .scanner import DEFAULT_LIMITS, scan, scan_bytes

__all__ = [
    "DEFAULT_LIMITS",
    "SEVERITIES",
    "Finding",
    "Policy",
    "ScanResult",
    "check_lock",
    "cli_hash",
    "cli_scan",
    "default_policy",
    "load_joblib_safely",
    "load_pickle_safely",
    "load_skops_safely",
    "parse_allow",
    "read_lock",
    "require_safe",
    "scan",
    "scan_bytes",
    "sha256_file",
    "write_lock",
]
