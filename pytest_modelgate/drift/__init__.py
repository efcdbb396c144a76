"""Drift engine: per-column two-sample tests, the `auto` rule, corrections, profiles.

`detect(reference, current)` tests every column and returns a frozen `DriftResult`;
`profile(data)` summarises reference data so CI needs no raw reference. Never imports pytest.
"""

from __future__ import annotations

from ._dask import profile_dask
from ._data import ColumnSummary
from ._detect import (
    CORRECTIONS,
    ColumnDrift,
    DriftResult,
    MultivariateDrift,
    adjust_pvalues,
    describe_tests,
    detect,
)
from ._multivariate import classifier_drift, mmd_drift
from ._profile import Profile, merge_profiles, profile, profile_file
from ._registry import DriftTest, Outcome, get_test, get_test_names, register_test, unregister_test
from ._spark import profile_spark
from ._tests import N_BINS, PSI_EPSILON, STD_FLOOR

__all__ = [
    "CORRECTIONS",
    "N_BINS",
    "PSI_EPSILON",
    "STD_FLOOR",
    "ColumnDrift",
    "ColumnSummary",
    "DriftResult",
    "DriftTest",
    "MultivariateDrift",
    "Outcome",
    "Profile",
    "adjust_pvalues",
    "classifier_drift",
    "describe_tests",
    "detect",
    "get_test",
    "get_test_names",
    "merge_profiles",
    "mmd_drift",
    "profile",
    "profile_dask",
    "profile_file",
    "profile_spark",
    "register_test",
    "unregister_test",
]
