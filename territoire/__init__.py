"""Territoire: the digital public services of a French collectivité, in one place."""
