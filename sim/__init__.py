"""Wiring: parameters, the Mesa model, metrics, outputs and the command line."""
