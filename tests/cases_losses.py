"""Registry cases for fcnn/losses.py (filled in with the losses)."""

CASES = []
