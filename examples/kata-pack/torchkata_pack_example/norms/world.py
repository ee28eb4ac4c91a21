"""The norms kata's learner side: helpers a check runs next to the learner's code through
``kata.run``.  This kata needs none (its checks use ``kata.call`` only), but the file is
there so that the isolated worker preloads it, and never ``tasks.py``, into a learner
process: checks and their verdicts stay on the grader's side."""
