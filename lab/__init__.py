"""Measurement shared by ``tests/`` and ``bench/``: the development data, mask metrics, quality reports.

Not part of the product (not packaged, never imported by ``bgremove_core`` or ``bgremove_obs``):
it reads the shared development data beside the checkout (``../shared/data``, never copied into
the repository) and scores masks against hand-drawn truth. The tests assert on the same functions
the reports print, so a report and a test can never measure different things. Speed, which users
can measure on their own machine (``bgremove bench``), is the product's
:mod:`bgremove_core.speed`.
"""
