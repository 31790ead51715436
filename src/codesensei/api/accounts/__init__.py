"""Accounts: users and roles, passwords, sign-in sessions and tokens, invitations, password resets.

Services take a session and never commit, like every other domain's; the request boundary commits.
"""
