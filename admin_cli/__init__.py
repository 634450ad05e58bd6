"""``legalbot-admin``: the legal officers' and operators' command line."""
