"""Train two versions of a digit classifier and save them as skops files (no download needed).

v1 is a strongly regularised logistic regression (the champion in production); v2 is the
candidate, retrained with weaker regularisation. Both see the same training split, which
`data.py` reproduces for the gates.
"""

from __future__ import annotations

import sys
from pathlib import Path

import skops.io as sio
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).parent))
from data import load_split

VERSIONS = {
    "v1": LogisticRegression(C=0.01, max_iter=3000),
    "v2": LogisticRegression(C=0.1, max_iter=3000),
}


def main(out_dir: str = "models") -> None:
    X_train, _, y_train, _ = load_split()
    out = Path(__file__).parent / out_dir
    out.mkdir(exist_ok=True)
    for version, estimator in VERSIONS.items():
        model = make_pipeline(StandardScaler(), estimator).fit(X_train, y_train)
        path = out / f"model-{version}.skops"
        sio.dump(model, path)
        print(f"trained {version}: {path}")


if __name__ == "__main__":
    main(*sys.argv[1:])
