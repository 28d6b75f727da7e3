"""Code generated from :mod:`derivations`; never edit by hand (``python -m derivations regenerate``)."""
