"""An example kata pack for pytest-torchkata (see ``plugin.py`` and ``norms/``)."""
