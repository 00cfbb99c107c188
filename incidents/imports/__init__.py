"""Imports of incidents and claims, in three layers, each importing only the ones before it.

``vocabulary``: what the imports know before they read a file (mappings, parsers, lookups);
``engine``: the set-based import of the archive and ACLED formats, which ``inserts`` writes;
``resources``: the admin's adapter for django-import-export. The columns of the files and
their parsers come from the column spec, ``incidents.columns``.
"""
