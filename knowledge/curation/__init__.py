"""Curation by the legal officers: roles aside (knowledge.users), everything they do to the
content: the review queue, statistics, the guided add/edit flow, citations, the yearly report."""
