"""mlkit: small, tested helpers for the model-development stage of MLOps.

The package is organised by concern, one module each:

- :mod:`mlkit.datasets`  real vendored data (pbcseq, flights) and a synthetic cohort
- :mod:`mlkit.metrics`   task inference, metric sets, choosing the primary metric
- :mod:`mlkit.tasks`     the task (binary, multiclass, regression): inferred or declared, once
- :mod:`mlkit.scoring`   ``scoring`` to scorers (get_scorers), metric sets, loss direction
- :mod:`mlkit.evaluation` a fitted model on data to a report in natural units
- :mod:`mlkit.splits`    choosing and auditing cross-validation splitters
- :mod:`mlkit.cv_audit`  ``audit_cv`` / ``plot_cv`` (re-exported by ``mlkit.splits``)
- :mod:`mlkit.baselines` dummy baselines and the "beat the baseline" gate
- :mod:`mlkit.leakage`   group-leakage checks
- :mod:`mlkit.stats`     corrected repeated k-fold t-test, Holm, exchangeability check
- :mod:`mlkit.selection` compare a few models and the baseline on the same repeated folds
- :mod:`mlkit.ablation`  remove or replace one pipeline part at a time, paired test
- :mod:`mlkit.space`     search-space dimensions (``Int``, ``Float``, ``Categorical``)
- :mod:`mlkit.tuning`    grid, random, Bayesian and halving search, nested CV
- :mod:`mlkit.nested`    nested cross-validation of a whole search (re-exported by tuning)
- :mod:`mlkit.curves`    learning and validation curves on honest folds, fit-time scalability
- :mod:`mlkit.extrapolation` inverse power-law extrapolation of a learning curve
- :mod:`mlkit.training`  estimators by name, holdout split, final fit, holdout evaluation
- :mod:`mlkit.tracking`  MLflow stores and runs, listing runs, marking killed runs FAILED
- :mod:`mlkit.registry`  skops model registry (hash-checked loads), champion/challenger gate
- :mod:`mlkit.calibration` reliability diagrams, Brier decomposition, ECE, recalibration
- :mod:`mlkit.reliability` measuring calibration: reliability table, Brier terms, ECE
- :mod:`mlkit.thresholds` decision thresholds tuned against the costs of the two errors
- :mod:`mlkit.config`    pipeline configuration files, validated on load
- :mod:`mlkit.pipeline`  the end-to-end run behind ``mlkit run``
- :mod:`mlkit.pipeline_checks` config-vs-data checks of ``mlkit validate`` (task, metric, folds)
- :mod:`mlkit.pipeline_steps` the typed steps ``run_pipeline`` composes, and a null run
- :mod:`mlkit.drift`     data drift tests (KS, chi2, Z, Wasserstein, Jensen-Shannon, PSI),
  reference profiles, river concept-drift detectors
- :mod:`mlkit.continuous` replaying retraining policies with label delay and a gate
- :mod:`mlkit.monitor`   the engine of ``mlkit monitor``: drift of new data against the champion
- :mod:`mlkit.diagnostics` LR range test, debug-set overfit, gradient norms, seed spread
- :mod:`mlkit.gradients` exact per-layer gradient norms of an MLP (vanishing, exploding)
- :mod:`mlkit.seeds`     score spread across random seeds against the spread across folds
- :mod:`mlkit.display`   readable tables, one plot style, quiet glue for notebooks
- :mod:`mlkit.cli`       ``mlkit run``, ``validate``, ``models``, ``runs``, ``monitor``, ``tune``
- :mod:`mlkit.servers`   throwaway local PostgreSQL, MLflow tracking server, Dask cluster

``import mlkit`` is light on purpose: it imports none of the submodules, so
heavy libraries (optuna, mlflow, matplotlib) load only where they are used.
Import the submodule you need, e.g. ``from mlkit.splits import choose_cv``.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
