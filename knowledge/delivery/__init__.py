"""The delivery engine: a ledger of (broadcast, recipient) rows sent at each channel's pace.

``models`` holds the tables, ``ledger`` every database step (enqueue, claim, record,
recover, report), ``pacing`` Telegram-style limits, ``sender`` the protocol a channel
implements, ``lease`` who may deliver, and ``engine`` the loop that ties them together.
"""
