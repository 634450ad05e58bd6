"""The web column: public pages, search, a chat page, an embeddable widget and a JSON API.

One Starlette application serves every school of a deployment; ``legalbot serve`` runs it
together with the chat channels and their webhooks on one port.
"""
