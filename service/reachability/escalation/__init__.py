"""Privilege escalation: the catalogue's techniques decided on the loaded accounts (checker.py), the graph
of who can become whom (graph.py), and the questions that walk it (questions.py)."""
