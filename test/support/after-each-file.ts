// setupFilesAfterEnv (jest.config.js): runs in every test file.
import { closeAbandonedStarts } from './abandoned-starts.js';

// A start outlives its test's timeout by at most its own duration; on a slow machine that is tens of seconds.
afterAll(closeAbandonedStarts, 180_000);
