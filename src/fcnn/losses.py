"""Floor 2: loss functions (being written)."""

LOSSES: dict = {}
