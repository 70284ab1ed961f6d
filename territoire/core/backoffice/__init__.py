"""The back-office of a collectivité's administrators: people, services, districts,
theme, API keys, audit log (and everyone's notifications page).

It is core's own back-office, not a business module: it only uses core's models,
services and selectors, and is mounted under ``/<tenant>/gestion/administration/``.
"""
