"""On-site verification (实地察访核验): visits, findings per target, score adjustments with a
written reason, and findings of 越位 / 缺位 / 错位 that feed 履职全面度."""
