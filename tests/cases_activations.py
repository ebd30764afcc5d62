"""Registry cases for fcnn/activations.py (filled in with the activations)."""

CASES = []
