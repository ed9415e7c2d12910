"""The restricted tier's rules: who may read personal data, what a query reads, the audit log."""
