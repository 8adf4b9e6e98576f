"""Role Bot's core: the knowledge, reading questions, scoring answers, routing and evaluation.

Plain Python: nothing here imports Slack's libraries, so the core can be read, tested and
benchmarked on its own.
"""
