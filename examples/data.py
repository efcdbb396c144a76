"""The example's data: scikit-learn's bundled digits, split the same way for training and gates."""

from __future__ import annotations

from typing import Any

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def load_split(seed: int = 0) -> tuple[Any, Any, Any, Any]:
    """X_train, X_holdout, y_train, y_holdout (40% holdout, stratified, fixed seed)."""
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.4, random_state=seed, stratify=y)
