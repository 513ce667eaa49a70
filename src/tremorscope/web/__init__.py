"""The local web app: a page in the user's own browser over a JSON API, all on this machine.

``store.py`` keeps the index of analyses (SQLite) and their folders, ``uploads.py`` streams an
upload to disk under a name the server chooses, ``work.py`` runs the analyses in worker
processes (the batch worker, started once), ``app.py`` is the API and the page, ``safety.py``
the checks on every request, ``server.py`` what ``tremorscope serve`` starts.
"""
