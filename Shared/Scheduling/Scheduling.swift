/// Schedule math with no I/O: cron expressions, time zones and their DST policy, business
/// calendars, and the fire planner. trigger-service and wloadctl share it, so `wloadctl cron next`
/// prints exactly what the scheduler will do.
public enum Scheduling {}
