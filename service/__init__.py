"""accessgraph: who can reach what in AWS IAM."""

__version__ = "0.1.0"
