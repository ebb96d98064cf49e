"""``bgremove studio``: the file jobs of :mod:`bgremove_core` behind a local web page.

Nothing here re-implements the engine: the settings form is the schema of
:mod:`bgremove_core.settings`, previews are :class:`~bgremove_core.pipeline.Processor` on one
frame read as ``bgremove preview`` reads it, and every job is a one-file ``batch`` (same output
names, atomic outputs, same error sentences). What this package adds is the web page, a queue
kept in SQLite so it survives a restart, and the guards that keep other web sites out.

- :mod:`.serve`: the command (socket, workers, server, Ctrl-C).
- :mod:`.app` and :mod:`.guard`: the routes, and who may call them.
- :mod:`.store`: uploads and jobs in SQLite; :mod:`.workers`: N threads running the jobs.
- :mod:`.uploads`: streaming files into the studio folder; :mod:`.preview`: one rendered frame.
"""
