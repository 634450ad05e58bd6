"""The channel-agnostic core of the legal Q&A bot: normalization, storage, matching, dialog."""
