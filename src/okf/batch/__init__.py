"""Batch extraction over a corpus: readers and writers, one worker path, two engines.

``okf batch`` wires them: :mod:`okf.batch.runner` drives an engine (:mod:`.local`, a
process pool; :mod:`.ray`, Ray Data) whose workers run :mod:`okf.batch.work`, and
commits rows through :mod:`okf.batch.writers`.
"""
