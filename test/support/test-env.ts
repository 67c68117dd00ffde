// Environment every e2e worker shares. argon2's cost is lowered here only (never the production default).
process.env.NODE_ENV = 'test';
process.env.ARGON2_MEMORY_KIB ??= '1024';
process.env.ARGON2_TIME_COST ??= '1';
process.env.JWT_SECRET ??= 'test-secret-that-is-long-enough-for-hs256-0123456789';
process.env.LOG_LEVEL ??= 'silent';
process.env.RATE_LIMIT_LOGIN_PER_MINUTE ??= '1000';
process.env.RATE_LIMIT_REMIND_PER_HOUR ??= '1000';
process.env.RATE_LIMIT_API_PER_MINUTE ??= '100000';
