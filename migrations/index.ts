import { Foundation1763769600000 } from './1763769600000-Foundation.js';
import { SessionsAndActivity1763769700000 } from './1763769700000-SessionsAndActivity.js';

/** Every migration in order; add a new one here when you add its file. */
export const MIGRATIONS = [Foundation1763769600000, SessionsAndActivity1763769700000];
