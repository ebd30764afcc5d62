"""Floor 2: activation functions (being written)."""

ACTIVATIONS: dict = {}
