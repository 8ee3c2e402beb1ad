"""Needs and assets reports for CCSPP: demand, supply, gaps, suppression and charts.

Pure domain code (no Flask): the web layer in ``matcher/web/reports.py`` calls it.
"""
