import { InitialSchema1795720000000 } from './1795720000000-initial-schema.js';

/** Every migration, oldest first. A generated migration is reviewed, then added here. */
export const migrations = [InitialSchema1795720000000];
