"""Chat front ends (terminal, Telegram, Zalo, web) over the core's dialog."""
