// Environment every e2e worker shares. argon2's cost is lowered here only (never the production default).
process.env.NODE_ENV = 'test';
process.env.ARGON2_MEMORY_KIB ??= '1024';
process.env.ARGON2_TIME_COST ??= '1';
process.env.JWT_SECRET ??= 'test-secret-that-is-long-enough-for-hs256-0123456789';
process.env.LOG_LEVEL ??= 'silent';
// Every test file signs up and logs in from 127.0.0.1: the limits are raised here and lowered by the tests of the limits.
process.env.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_IP ??= '1000';
process.env.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT ??= '1000';
process.env.RATE_LIMIT_LOGIN_FAILURES_PER_IP ??= '1000000';
process.env.RATE_LIMIT_LOGIN_PER_IP ??= '1000000';
process.env.RATE_LIMIT_LOGIN_PER_ACCOUNT ??= '1000';
process.env.RATE_LIMIT_REGISTER_PER_HOUR ??= '1000000';
process.env.RATE_LIMIT_REMIND_PER_HOUR ??= '1000';
process.env.RATE_LIMIT_REMIND_PER_IP_PER_HOUR ??= '1000000';
process.env.SMS_PER_DESTINATION_PER_HOUR ??= '1000';
process.env.SMS_ENROLMENT_PER_ACCOUNT_PER_HOUR ??= '1000';
process.env.SMS_PER_IP_PER_HOUR ??= '1000000';
process.env.SMS_MAX_PER_HOUR ??= '1000000';
process.env.RATE_LIMIT_API_PER_MINUTE ??= '100000';
// Files sign up users ten at a time on a shared, loaded CPU: with one hash per CPU some would wait past 2 s (503).
// bounded-work.e2e-spec.ts sets its own bound.
process.env.ARGON2_MAX_CONCURRENT ??= '64';
// Test apps in one worker share its database, each with its own SMTP sink: without a poll, a mail is delivered by the
// app whose commit wrote it (or by the test's flush()), not by another app's worker into another sink. The process
// tests of the outbox set their own.
process.env.OUTBOX_POLL_MS ??= '60000';
