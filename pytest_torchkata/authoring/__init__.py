"""For kata authors: ``stubs`` makes the learner files (English and 简体中文) from the
reference solutions.  May import ``model`` and ``i18n``."""
