"""Hydra sweeper that runs a SALib sensitivity design (``hydra/sweeper=salib``)."""
