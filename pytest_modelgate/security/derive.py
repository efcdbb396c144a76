"""Derive the allow-list from real artifacts instead of guessing it.

Fits (or at least builds) every scikit-learn estimator family on tiny data, serializes each with
pickle protocols 0-5, joblib and skops, and collects every global the scanner's walker sees.
`python -m pytest_modelgate.security.derive` prints the table that `_allowlist_data.py` holds;
the test suite re-derives a subset and checks the shipped list still covers it.
"""

from __future__ import annotations

import io
import pickle
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

from .policy import Policy
from .scanner import scan_bytes

__all__ = ["artifacts", "derive", "estimator_instances", "extra_objects", "find_aliases",
           "loss_models", "main"]

# The packages whose submodules `find_aliases` walks (those a user might write ``pkg.*`` for).
ALIAS_PACKAGES = ("numpy", "scipy", "sklearn", "pandas", "xgboost", "lightgbm", "skops")

_BASE_PARAMS = ("estimator", "base_estimator", "estimators", "transformers", "steps",
                "transformer_list", "final_estimator")


def _needs(cls: type, name: str) -> bool:
    import inspect

    param = inspect.signature(cls).parameters.get(name)
    return param is not None and param.default is inspect.Parameter.empty


def estimator_instances(kinds: Iterable[str] | None = None) -> Iterator[tuple[str, Any]]:
    """Every scikit-learn estimator that can be built with defaults (meta-estimators get a
    small base estimator), with its name."""
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
    from sklearn.utils import all_estimators

    types = list(kinds) if kinds is not None else None
    for name, cls in all_estimators(type_filter=types):
        is_reg = "Regress" in name or (name.endswith(("CV", "Regression")) and "Logistic" not in name)
        base = DecisionTreeRegressor(max_depth=2) if is_reg else DecisionTreeClassifier(max_depth=2)
        kwargs: dict[str, Any] = {}
        try:
            if _needs(cls, "estimator"):
                kwargs["estimator"] = LinearRegression() if is_reg else LogisticRegression()
            if _needs(cls, "base_estimator"):
                kwargs["base_estimator"] = base
            if _needs(cls, "estimators"):
                kwargs["estimators"] = [("a", base), ("b", LogisticRegression() if not is_reg
                                                     else LinearRegression())]
            if _needs(cls, "transformers"):
                kwargs["transformers"] = [("s", StandardScaler(), [0, 1])]
            if _needs(cls, "steps"):
                kwargs["steps"] = [("s", StandardScaler()), ("m", base)]
            if _needs(cls, "transformer_list"):
                kwargs["transformer_list"] = [("s", StandardScaler())]
            yield name, cls(**kwargs)
        except Exception:
            continue


def _fit(est: Any, *, binary: bool = False) -> Any:
    import numpy as np
    from sklearn.base import is_classifier, is_regressor

    rng = np.random.default_rng(0)
    X = np.abs(rng.normal(size=(60, 4))) + 0.1  # positive: some estimators need it
    y_cls = (X[:, 0] + X[:, 1] > np.median(X[:, 0] + X[:, 1])).astype(int)
    if not binary:
        y_cls[::7] = 2
    y_reg = X @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.normal(scale=0.1, size=60)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if is_classifier(est):
                return est.fit(X, y_cls)
            if is_regressor(est):
                return est.fit(X, y_reg)
            try:
                return est.fit(X)
            except TypeError:
                return est.fit(X, y_cls)
        except Exception:
            return est


def extra_objects() -> list[tuple[str, Any]]:
    """Non-estimator objects that real model files carry: arrays of every dtype, sparse
    matrices, numpy random states, masked arrays, datetimes, containers."""
    import collections
    import datetime
    import decimal
    import fractions

    import numpy as np
    import scipy.sparse as sp

    objs: list[tuple[str, Any]] = []
    for dt in ("f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1", "c8",
               "c16", "U5", "S5", "O", "M8[ns]", "m8[s]", "V4"):
        objs.append((f"array-{dt}", np.zeros(3, dtype=dt)))
        objs.append((f"scalar-{dt}", np.zeros(3, dtype=dt)[0]))
    objs.append(("structured", np.zeros(3, dtype=[("a", "f8"), ("b", "i4")])))
    objs.append(("fortran", np.asfortranarray(np.ones((3, 2)))))
    objs.append(("masked", np.ma.masked_array([1.0, 2.0], mask=[False, True])))
    objs.append(("randomstate", np.random.RandomState(0)))
    objs.append(("generator", np.random.default_rng(0)))
    objs.append(("seedsequence", np.random.SeedSequence(0)))
    for fmt in ("csr", "csc", "coo", "lil", "dok", "bsr", "dia"):
        objs.append((f"sparse-{fmt}", sp.random(4, 4, density=0.5, format=fmt, random_state=0)))
        if hasattr(sp, "random_array"):  # scipy >= 1.11: the sparse array classes
            objs.append((f"sparse-array-{fmt}", sp.csr_array(objs[-1][1]).asformat(fmt)))
    objs.append(("containers", {"a": [1, (2, 3)], "b": {4, 5}, "c": frozenset({6}),
                                "d": b"x", "e": bytearray(b"y"), "f": slice(1, 2),
                                "g": complex(1, 2), "h": range(3), "i": None}))
    objs.append(("ordereddict", collections.OrderedDict(a=1)))
    objs.append(("defaultdict", collections.defaultdict(list, a=[1])))
    objs.append(("counter", collections.Counter("aab")))
    objs.append(("datetime", [datetime.datetime(2024, 1, 1), datetime.date(2024, 1, 1),
                              datetime.timedelta(1), datetime.timezone.utc]))
    objs.append(("decimal", [decimal.Decimal("1.5"), fractions.Fraction(1, 3)]))
    objs.append(("numpy-types", [np.float16, np.float32, np.float64, np.int8, np.int16,
                                 np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
                                 np.bool_, np.complex64, np.complex128, np.str_, np.bytes_,
                                 np.object_, np.intp, np.datetime64, np.timedelta64]))
    from sklearn.preprocessing import FunctionTransformer

    objs += _frame_models()
    objs += loss_models()
    for fn in (np.log1p, np.expm1, np.log, np.exp, np.sqrt, np.square, np.abs, np.log2,
               np.log10, np.tanh, np.arcsinh, np.sinh, np.clip, np.round, np.sign, np.mean,
               np.median, np.sum, np.max, np.min, np.nan_to_num):
        name = getattr(fn, "__name__", "fn")
        objs.append((f"function-{name}", FunctionTransformer(fn)))
    return objs


def loss_models() -> list[tuple[str, Any]]:
    """Estimators fitted with their non-default losses and links (absolute error, quantile,
    Huber, Poisson, gamma, Tweedie, exponential, the SGD losses): each pickles its own loss
    objects, which the default-parameter estimators never show."""
    import numpy as np
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        GradientBoostingRegressor,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )
    from sklearn.linear_model import SGDClassifier, SGDRegressor, TweedieRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.abs(X[:, 0]) + 0.1
    labels = (X[:, 0] > 0).astype(int)
    labels3 = np.digitize(X[:, 0], [-0.5, 0.5])
    models: list[tuple[str, Any, Any]] = []
    for loss in ("absolute_error", "gamma", "poisson"):
        models.append((f"hgb-{loss}", HistGradientBoostingRegressor(loss=loss, max_iter=2), y))
    models.append(("hgb-quantile", HistGradientBoostingRegressor(
        loss="quantile", quantile=0.3, max_iter=2), y))
    for loss in ("absolute_error", "huber", "quantile"):
        models.append((f"gb-{loss}", GradientBoostingRegressor(loss=loss, n_estimators=2), y))
    models.append(("gb-exponential", GradientBoostingClassifier(loss="exponential",
                                                                n_estimators=2), labels))
    models.append(("hgb-binary", HistGradientBoostingClassifier(max_iter=2), labels))
    models.append(("hgb-multiclass", HistGradientBoostingClassifier(max_iter=2), labels3))
    for power in (0, 1, 1.5, 2, 3):
        models.append((f"tweedie-{power}", TweedieRegressor(power=power, link="log"), y))
    models.append(("tweedie-identity", TweedieRegressor(power=1.5, link="identity"), y))
    for loss in ("huber", "epsilon_insensitive", "squared_epsilon_insensitive",
                 "squared_error"):
        models.append((f"sgd-{loss}", SGDRegressor(loss=loss, max_iter=5, tol=None), y))
    for loss in ("hinge", "log_loss", "modified_huber", "squared_hinge", "perceptron", "huber",
                 "epsilon_insensitive", "squared_epsilon_insensitive", "squared_error"):
        models.append((f"sgdc-{loss}", SGDClassifier(loss=loss, max_iter=5, tol=None), labels))
    out: list[tuple[str, Any]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, model, target in models:
            out.append((f"loss-{name}", model.fit(X, target)))
    return out


def _frame_models() -> list[tuple[str, Any]]:
    """Models fitted on pandas DataFrames: categorical dtypes, column transformers, pandas
    output (these store internals that array-fitted models never do)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional
        return []
    import numpy as np
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler, TargetEncoder

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=80), "b": rng.choice(["x", "y", "z"], 80),
                       "c": pd.Categorical(rng.choice(["p", "q"], 80)),
                       "d": rng.integers(0, 5, 80)})
    y = (df["a"] > 0).astype(int).to_numpy()
    y3 = y + (df["d"] > 3).to_numpy()
    num = df[["a", "c", "d"]]
    candidates: list[tuple[str, Any, Any, Any]] = [
        ("hgb-categorical", HistGradientBoostingClassifier(categorical_features="from_dtype",
                                                           max_iter=5), num, y),
        ("hgb-categorical-3", HistGradientBoostingClassifier(categorical_features="from_dtype",
                                                             max_iter=5), num, y3),
        ("hgb-categorical-reg", HistGradientBoostingRegressor(categorical_features="from_dtype",
                                                              max_iter=5), num, df["a"]),
        ("column-transformer", make_pipeline(make_column_transformer(
            (StandardScaler(), ["a", "d"]), (OneHotEncoder(handle_unknown="ignore"), ["b", "c"]),
            (OrdinalEncoder(), ["c"])), LogisticRegression()), df, y),
        ("target-encoder", make_pipeline(make_column_transformer(
            (TargetEncoder(), ["b"]), remainder="passthrough"), LogisticRegression()),
         df[["a", "b"]], y),
        ("pandas-output", make_pipeline(make_column_transformer(
            (StandardScaler(), ["a"]), (OneHotEncoder(sparse_output=False), ["b"])
        ).set_output(transform="pandas"), LogisticRegression()), df, y),
    ]
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV

    for scoring in ("accuracy", "roc_auc", "f1", "neg_log_loss", "balanced_accuracy",
                    "average_precision"):
        candidates.append((f"search-{scoring}", GridSearchCV(
            LogisticRegression(), {"C": [0.1, 1.0]}, scoring=scoring, cv=3),
            df[["a", "d"]], y))
    for scoring in ("r2", "neg_mean_squared_error", "neg_mean_absolute_error",
                    "neg_root_mean_squared_error"):
        candidates.append((f"search-{scoring}", GridSearchCV(
            Ridge(), {"alpha": [0.1, 1.0]}, scoring=scoring, cv=3), df[["d"]], df["a"]))
    from sklearn.model_selection import RandomizedSearchCV, ShuffleSplit, StratifiedKFold

    candidates.append(("randomized-search", RandomizedSearchCV(
        LogisticRegression(), {"C": [0.1, 1.0, 10.0]}, n_iter=2, random_state=0,
        cv=StratifiedKFold(3, shuffle=True, random_state=0)), df[["a", "d"]], y))
    candidates.append(("search-shuffle-split", GridSearchCV(
        Ridge(), {"alpha": [0.1, 1.0]}, cv=ShuffleSplit(3, random_state=0)), df[["d"]], df["a"]))
    out: list[tuple[str, Any]] = []
    for name, model, features, target in candidates:
        try:
            out.append((name, model.fit(features, target)))
        except Exception:  # an older scikit-learn without the feature
            continue
    return out


def artifacts(objs: Iterable[tuple[str, Any]], *, skops: bool = True
              ) -> Iterator[tuple[str, str, bytes]]:
    """(object name, format, bytes) for pickle protocols 0-5, joblib (plain and zlib) and
    skops, for each object."""
    import joblib

    for name, obj in objs:
        for proto in (0, 1, 2, 3, 4, 5):
            try:
                yield name, f"pickle{proto}", pickle.dumps(obj, protocol=proto)
            except Exception:
                break
        for compress in (0, 3):
            buf = io.BytesIO()
            try:
                joblib.dump(obj, buf, compress=compress)
            except Exception:
                continue
            yield name, f"joblib{'-zlib' if compress else ''}", buf.getvalue()
        if skops:
            try:
                import skops.io as sio

                yield name, "skops", sio.dumps(obj)
            except Exception:
                pass


def derive(objs: Iterable[tuple[str, Any]], *, skops: bool = True
           ) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Globals seen in pickles/joblib and node types seen in skops files, each mapped to the
    artifacts they came from."""
    empty = Policy(include_defaults=False)
    pickled: dict[str, set[str]] = {}
    skopsed: dict[str, set[str]] = {}
    for name, fmt, data in artifacts(objs, skops=skops):
        result = scan_bytes(data, name=f"{name}.{fmt}", policy=empty)
        target = skopsed if fmt == "skops" else pickled
        for glob, _count in result.globals:
            target.setdefault(glob, set()).add(name)
    return pickled, skopsed


def exec_targets() -> dict[int, str]:
    """``id(object) -> "module.name"`` for every `EXEC_CAPABLE` function that imports here."""
    import importlib

    from .policy import EXEC_CAPABLE

    out: dict[int, str] = {}
    for module, names in EXEC_CAPABLE.items():
        try:
            mod = importlib.import_module(module)
        except ImportError:  # pragma: no cover - platform modules
            continue
        for name in names:
            obj = getattr(mod, name, None)
            if obj is not None:
                out.setdefault(id(obj), f"{module}.{name}")
    return out


def _walk(package: str) -> Iterator[Any]:
    """The package and every submodule that imports (failures skipped, warnings silenced)."""
    import importlib
    import pkgutil

    try:
        root = importlib.import_module(package)
    except Exception:
        return
    yield root
    for info in pkgutil.walk_packages(getattr(root, "__path__", []), prefix=f"{package}."):
        if ".tests" in info.name or "._tests" in info.name or info.name.endswith(".conftest"):
            continue  # test suites: not shipped names a model would reference, slow to import
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                mod = importlib.import_module(info.name)
            except KeyboardInterrupt:
                raise
            except BaseException:  # some modules exit or fail on import: skip them
                continue
        yield mod


def find_aliases(packages: Iterable[str] = ALIAS_PACKAGES) -> dict[tuple[str, str], str]:
    """Every ``(module, name)`` in `packages` bound to an exec-capable function by identity,
    mapped to the function's canonical name (a maintenance step: it imports the packages)."""
    from .policy import DENIED_GLOBALS, DENIED_MODULES

    targets = exec_targets()
    found: dict[tuple[str, str], str] = {}
    for package in packages:
        for mod in _walk(package):
            for name, obj in list(vars(mod).items()):
                target = targets.get(id(obj))
                if target is None or f"{mod.__name__}.{name}" == target:
                    continue
                key = (mod.__name__, name)
                if key in DENIED_GLOBALS or key[0].split(".")[0] in DENIED_MODULES:
                    continue  # already denied by name, or a stdlib/denied package's own name
                found[key] = target
    return found


def _pairs(table: dict[str, set[str]]) -> list[tuple[str, str, int, str]]:
    out = []
    for glob in sorted(table):
        module, _, name = glob.partition(":")
        out.append((module, name, len(table[glob]), ", ".join(sorted(table[glob])[:2])))
        if module.startswith("numpy._core"):  # numpy 1.x writes the same names as numpy.core
            out.append(("numpy.core" + module[len("numpy._core"):], name, 0, "numpy 1.x spelling"))
    return sorted(set(out))


def render(pickled: dict[str, set[str]], skopsed: dict[str, set[str]], n_objects: int,
           curated: dict[tuple[str, str], str] | None = None,
           aliases: dict[tuple[str, str], str] | None = None) -> str:
    """The source of `_allowlist_data.py`: the derived tables, then the curated allow-list and
    the alias table (both kept as they are when not given)."""
    from . import _allowlist_data as current

    curated = current.CURATED_GLOBALS if curated is None else curated
    aliases = current.ALIASES if aliases is None else aliases
    import sklearn

    lines = [
        '"""The allow-lists, derived from real artifacts by `pytest_modelgate.security.derive`.',
        "",
        f"Generated from {n_objects} objects (every scikit-learn {sklearn.__version__} estimator "
        "that builds with",
        "defaults, fitted where possible, plus arrays of every dtype, sparse matrices, numpy "
        "random",
        "states, containers and FunctionTransformer with common numpy functions), each "
        "serialized with",
        "pickle protocols 0-5, joblib (plain and zlib) and skops. Regenerate with",
        "``python -m pytest_modelgate.security.derive --write``; each comment says how many "
        "objects",
        'needed the entry and names up to two."""',
        "",
        "from __future__ import annotations",
        "",
        "ALLOWED_GLOBALS: frozenset[tuple[str, str]] = frozenset({",
    ]
    for module, name, count, where in _pairs(pickled):
        lines.append(f'    ("{module}", "{name}"),  # {count}: {where}')
    lines += ["})", "", "SKOPS_ALLOWED_TYPES: frozenset[tuple[str, str]] = frozenset({"]
    for module, name, count, where in _pairs(skopsed):
        lines.append(f'    ("{module}", "{name}"),  # {count}: {where}')
    lines += ["})", ""]
    return "\n".join(lines) + render_tables(curated, aliases)


_CURATED_DOC = """
# Hand-vetted safe reconstructors that `derive` cannot produce from scikit-learn objects: the
# standard globals of torch.save checkpoints (PyTorch's weights_only allow-list), xgboost and
# lightgbm estimators, and pure stdlib value types. Each says why it is safe; copied verbatim by
# `derive.render`. File readers (torch.load, numpy.load, joblib.load) stay denied.
"""
_ALIASES_DOC = """
# Known aliases: names under which installed packages bind an exec-capable function
# (`policy.EXEC_CAPABLE`), found by `derive.find_aliases` by object identity. Denied under these
# names too, and a ``package.*`` wildcard covering one is refused.
"""


def render_tables(curated: dict[tuple[str, str], str],
                  aliases: dict[tuple[str, str], str]) -> str:
    """The source of the curated allow-list and the alias deny table."""
    out = [_CURATED_DOC, "CURATED_GLOBALS: dict[tuple[str, str], str] = {"]
    out += [f'    ("{m}", "{n}"): "{why}",' for (m, n), why in sorted(curated.items())]
    out += ["}", _ALIASES_DOC + "ALIASES: dict[tuple[str, str], str] = {"]
    out += [f'    ("{m}", "{n}"): "{target}",' for (m, n), target in sorted(aliases.items())]
    out += ["}", ""]
    return "\n".join(out)


def main() -> None:  # pragma: no cover - a maintenance script
    """Print (or with ``--write``, install) the derived allow-list module."""
    import sys
    from pathlib import Path

    from sklearn.base import clone, is_classifier

    objs = [(n, _fit(e)) for n, e in estimator_instances()]
    for n, e in estimator_instances():
        try:
            if is_classifier(e):
                objs.append((f"{n}-binary", _fit(clone(e), binary=True)))
        except Exception:  # estimators whose tags need a fitted sub-estimator
            continue
    objs += extra_objects()
    pickled, skopsed = derive(objs)
    text = render(pickled, skopsed, len(objs), aliases=find_aliases())
    if "--write" in sys.argv:
        Path(__file__).with_name("_allowlist_data.py").write_text(text)
    else:
        print(text)


if __name__ == "__main__":  # pragma: no cover
    main()
