"""Accord: service level agreements as code — exact, explainable compliance and credits."""

from accord.errors import AccordError

__all__ = ["AccordError", "__version__"]

__version__ = "0.1.0"
