"""Evidence files (佐证材料) for ledger entries, self-assessments and filings: checked for type
and size, stored outside the web root by content hash, served only to those allowed."""
