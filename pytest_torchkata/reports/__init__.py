"""What learners and instructors read: ``results`` (grades from check outcomes),
``summary`` and ``display`` (the terminal), ``formats`` (report files, a registry open to
plugins), ``progress`` (kept between runs), ``classbook``, ``analysis``, ``feedback``
and ``instructor`` (a whole class), ``encode`` (learner text made inert for the terminal, Markdown or a CSV
cell it is written to).

May import: ``status``, ``model``, ``i18n``; never ``sandbox`` or ``checks``.
"""
