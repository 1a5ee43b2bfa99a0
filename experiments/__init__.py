"""Replicated sweeps, their aggregation into tables, figures and reports."""
