"""The registry status of plans, commitments and proposals: the rules, status changes, and what a
loaded file may say about them.
"""
