"""Key supervision targets (重点监管工作目标任务, 第九条): the agency's set for the year, its
review workflow, recorded adjustments, the progress ledger (台账) and the self-assessment."""
