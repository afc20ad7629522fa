"""Loaders: IAM (GAAD files or live accounts) and AWS Organizations into the graph.

get (`detect`, `live`) -> transform (`gaad`, `trust`, `organizations`: pure, frozen rows) -> load
(`graph_writer`: one transaction per account or organization snapshot). `pipeline` wires them.
"""
