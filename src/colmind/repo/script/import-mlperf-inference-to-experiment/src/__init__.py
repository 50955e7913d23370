"""import-mlperf-inference-to-experiment: MLPerf inference results -> CM experiment records.

Modules (one job each): ``values`` (typed cells, the Accuracy text), ``summary_csv`` (the MLPerf
checker's summary.csv -> rows), ``tree`` (a submission / results tree -> the same rows),
``power`` (the power metric of a tree's run from PTDaemon's spl.txt), ``naming`` (model -> task,
experiment names and tags), ``records`` (rows -> one record per system x model x scenario with
performance and power together, stable uids), ``store`` (experiment artifacts and their
cm-result.json: locked, atomic, idempotent), ``importer`` (the steps in order).

Loaded by customize.py as a package under a private name; the modules use relative imports.
"""
