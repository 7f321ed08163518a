import { v7 as uuidv7 } from 'uuid';
import type { IdGenerator } from './tokens';

/**
 * `<prefix>_<32 hex>` from a UUIDv7: time-ordered and opaque, so ids can appear in events, logs,
 * span attributes and URLs without saying anything about a person.
 */
export const newId: IdGenerator = (prefix) => `${prefix}_${uuidv7().replace(/-/g, '')}`;
