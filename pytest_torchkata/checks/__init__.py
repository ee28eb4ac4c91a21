"""The grader's check helpers: ``values`` (comparisons with assert_close's rule and
learner-readable mismatches), ``gradients`` and ``gradwords`` (Jacobians built from
observations and diagnosed), ``training`` (convergence decided from loss histories),
``hints`` (torch's error messages mapped to what they usually mean), ``errors`` (the
outcomes a check raises).

Checks see observations only, never learner objects.  May import: torch, ``i18n``,
``status``, ``model``, and ``sandbox.gradprobe`` to name the observation helpers it asks
for; never ``plugin`` or ``reports``.
"""
