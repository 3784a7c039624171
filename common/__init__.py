"""Pieces shared by every problem: data, training utilities, domain adaptation, metrics, plots."""
