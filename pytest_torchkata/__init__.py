"""pytest-torchkata: a pytest plugin and katas that teach PyTorch by grading.

Kata authors import what they need from the submodules (``model``, ``checks``,
``gradients``, ``training``).  This package module stays free of torch so that
an ordinary ``pytest`` run without ``--kata`` never pays for importing it.
"""

__version__ = "0.1.0"


def load_ipython_extension(ipython):  # IPython's extension entry point
    """``%load_ext pytest_torchkata``: registers the ``%kata`` line magic (imports stay lazy)."""
    from pytest_torchkata.notebook.magic import register

    register(ipython)
