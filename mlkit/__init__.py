"""mlkit: small, tested helpers for the model-development stage of MLOps.

The package is organised by concern, one module each:

- :mod:`mlkit.datasets`  real vendored data (pbcseq, flights) and a synthetic cohort
- :mod:`mlkit.metrics`   task inference, metric sets, choosing the primary metric
- :mod:`mlkit.splits`    choosing and auditing cross-validation splitters
- :mod:`mlkit.baselines` dummy baselines and the "beat the baseline" gate
- :mod:`mlkit.leakage`   group-leakage checks
- :mod:`mlkit.space`     search-space dimensions (``Int``, ``Float``, ``Categorical``)
- :mod:`mlkit.tuning`    grid, random, Bayesian and halving search, nested CV
- :mod:`mlkit.training`  estimators by name, holdout split, final fit, holdout evaluation
- :mod:`mlkit.tracking`  MLflow tracking, skops model registry, champion/challenger gate
- :mod:`mlkit.config`    pipeline configuration files, validated on load
- :mod:`mlkit.pipeline`  the end-to-end run behind ``mlkit run``
- :mod:`mlkit.cli`       ``mlkit run CONFIG.yaml``, ``mlkit validate``, ``mlkit models``
- :mod:`mlkit.servers`   throwaway local PostgreSQL, MLflow tracking server, Dask cluster

``import mlkit`` is light on purpose: it imports none of the submodules, so
heavy libraries (optuna, mlflow, matplotlib) load only where they are used.
Import the submodule you need, e.g. ``from mlkit.splits import choose_cv``.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
