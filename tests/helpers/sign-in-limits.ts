/**
 * Sign-in abuse limits for test backends: far above the many sign-ins a test makes from 127.0.0.1 in a few
 * seconds. The real limits are tested on their own (server/sign-in-limits.test.ts).
 */
export const TEST_SIGN_IN_LIMITS = { perAddress: 100_000, global: 100_000 };

/**
 * scrypt cost for test backends and consoles: N=2^12 instead of OWASP's 2^17 (which costs ~128 MiB and a few
 * hundred ms per hash, and tests sign in hundreds of times). The default itself is tested.
 */
export const TEST_PASSWORD_COST = { N: 2 ** 12 };
