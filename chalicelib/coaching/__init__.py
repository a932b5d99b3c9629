"""Coaching: clients, coaches, orgs, tasks, messages, media and help requests, with role-based scopes and check-ins."""
