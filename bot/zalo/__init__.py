"""The Zalo channel: the dialog over the Zalo Bot API (text only, numbered choices)."""
