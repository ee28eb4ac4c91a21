"""The learner side: the only code that touches learner code.

``runner`` loads a learner file and answers requests made of plain data; ``guards`` wraps
every call (seed, one thread, time limit, forbidden APIs, breakpoints); ``wire`` is the
plain-data format both sides speak; ``gradprobe`` and the katas' ``NAME/world.py`` modules
observe (outputs, gradients, events) and never judge.  ``inprocess`` is the default
backend; ``worker`` (the grader's end), ``zygote``, ``child``, ``successor``, ``levels`` and
``limits`` make the isolated one.

May import: torch, numpy, ``i18n``, ``status``.  Never imports the verdict code
(``checks``, ``reports``, ``plugin``).
"""
