"""The working-day calendar (工作日) the office keeps: rest days, holidays and 调休 make-up days."""
