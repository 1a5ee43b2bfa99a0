"""Robust policy choice on the EMA Workbench: ``servsim-robust`` (experiments.robust.app), docs/robust.md."""
