"""Warehouse loading: one small interface, an embedded SQLite backend and a Redshift one."""
