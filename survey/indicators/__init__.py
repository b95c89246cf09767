"""职能公共指标 (党建, 预算绩效, 政务公开, 精神文明 …): scores other assessment bodies gave each
agency, imported from Excel rather than surveyed again (第七条, "不进行重复监管")."""
