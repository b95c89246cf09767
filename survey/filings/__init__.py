"""The agency's filings for the year: the work plan (工作要点, Q1) and the half-year and
year-end summary reports (总结报告), each text plus attached files, signed off by the leader."""
