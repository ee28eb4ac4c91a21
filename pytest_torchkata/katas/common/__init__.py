"""What several katas share, split by side: observe.py runs in the learner's process; expect.py,
explained.py and seeded.py run on the grader's side."""
