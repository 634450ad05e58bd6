"""Curated data shipped with the bot: FAQ entries, tips, topics, abbreviations, legal texts."""
