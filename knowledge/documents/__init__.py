"""The document base: legal texts as articles and clauses, imported, stored and searched.

The FAQ answers what the legal officer has written; when no entry fits, the dialog quotes the
clause of a law that is closest to the question. This package parses legal documents
(``parser``, ``readers``), keeps them in the database (``models``, ``store``, ``importer``) and
searches them (``index``, ``search``).
"""
