"""The norms kata: its checks (``tasks.py``), hints (``hints.py``), reference
(``solutions/norms.py``) and learner files (``stubs/``, made by ``torchkata gen``)."""
