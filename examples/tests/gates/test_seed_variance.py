"""Seed variance: the training recipe, not one lucky seed, must clear the bar."""

from __future__ import annotations

import pytest
from sklearn.ensemble import RandomForestClassifier


@pytest.fixture
def train_and_predict(split):
    """Train the recipe with one seed and predict the holdout: the gate calls it per seed."""
    X_train, X_holdout, y_train, y_holdout = split

    def run(seed):
        model = RandomForestClassifier(n_estimators=30, random_state=seed, n_jobs=1)
        return y_holdout, model.fit(X_train, y_train).predict(X_holdout)

    return run


@pytest.mark.modelgate(seeds=5)
def test_recipe_is_stable_across_seeds(gate, train_and_predict):
    """The mean holdout accuracy over 5 seeds (Student-t 95% interval) clears 0.9, and no
    single seed falls below 0.88."""
    gate.seed_variance(train_and_predict, metric="accuracy", min=0.9)
    gate.seed_variance(train_and_predict, metric="accuracy", min=0.88, aggregate="worst",
                       name="worst seed", n_jobs=2)
