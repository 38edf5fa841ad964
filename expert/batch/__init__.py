"""Batch evaluation: run many case files and score them against their expected answers.

Modules, each owning one thing:

- :mod:`~expert.batch.sources`: command-line paths to a stream of tasks (files, directories,
  globs, JSON Lines read line by line);
- :mod:`~expert.batch.worker`: one case in a worker process, from task to record;
- :mod:`~expert.batch.judgement`: one case's findings against its ``expected`` block;
- :mod:`~expert.batch.scoring`: the run's totals (precision, recall, F1, sides, referrals,
  calibration, per-muscle table, rule coverage);
- :mod:`~expert.batch.registry`: duplicate case ids in little memory;
- :mod:`~expert.batch.records`: JSON Lines and CSV output, written atomically to a file;
- :mod:`~expert.batch.runner`: the worker pool, in input order, streaming;
- :mod:`~expert.batch.rendering`: the HTML and Markdown report.

The command is ``imbalance batch`` (:mod:`expert.cli.batch`); docs/batch.md describes it.
"""
