"""Follow-up of supervision (第十三条, 第十六条, 第十八条): rectification items, their
warnings and reminders, special supervision, 约谈 / 通报批评 and linkage notices."""
