"""Regions, branches, employees, users, roles, login and who may see what."""
