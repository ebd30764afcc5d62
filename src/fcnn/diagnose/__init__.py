"""Floor 3: checks that tell whether a network's numbers are right and healthy.

- ``gradcheck`` (``gradcheck.py``): the numerical gradient check every layer in fcnn is
  proven with, public so that learners can run it on layers they write themselves.
- ``diagnose`` (``health.py``): for a model and a data set, per layer: activation
  statistics, dead ReLUs, saturated sigmoid / tanh units, gradient flow and the size of
  an update, with a verdict in words and advice for each problem found (``Report``).
  ``probe.py`` makes the measurements, ``verdicts.py`` holds the rules (``Thresholds``)
  and the wording, ``report.py`` the text / Markdown / JSON forms.
- ``DiagnosticsCallback`` (``callback.py``): the same checks, cheaply, during ``fit``,
  warning once per finding with a ``DiagnosticWarning``.

A package rather than the original design's ``diagnose.py``: it outgrew one readable file.
"""

from .callback import DiagnosticsCallback, DiagnosticWarning
from .gradcheck import gradcheck, relative_error
from .health import diagnose
from .probe import LayerStats
from .report import Report
from .verdicts import Finding, Thresholds

__all__ = [
    "DiagnosticWarning",
    "DiagnosticsCallback",
    "Finding",
    "LayerStats",
    "Report",
    "Thresholds",
    "diagnose",
    "gradcheck",
    "relative_error",
]
