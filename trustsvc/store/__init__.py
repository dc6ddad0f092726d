"""SQLAlchemy persistence: trust list versions, operators, audit log."""
