"""The functions kata: tasks.py (KATA and its checks), world.py (learner side), hints.py; grader.py where present."""
