"""Experiments: ``cm run|rerun|replay experiment`` (CM's ``experiment`` automation, UID a0a2d123ef064bcb).

Above the api layer: the built-in automation's meta names :class:`colmind.experiment.automation.ExperimentAutomation`
(``colmind_class``); experiment artifacts are found and created through ``colmind.api.access``; run
folders and records are plain files in CM's layout (:mod:`.records`), written atomically under locks.

Extension points (used by the Dask executor and the search strategies):
:mod:`.model` (``StepSpec``, ``StepOutcome``), :mod:`.step` (``run_step``), :mod:`.executors`
(``Executor``, ``LocalExecutor``, ``EXECUTORS``) and :mod:`.strategies` (``Strategy``, ``GridStrategy``,
``STRATEGIES``).
"""
