import { describeFailure, MAX_ERROR_LENGTH } from './failure-message';

describe('describeFailure', () => {
  it('keeps the error name and message', () => {
    expect(describeFailure(new TypeError('clearance not found'), {})).toBe('TypeError: clearance not found');
  });

  it('redacts payload values that a handler put into its message', () => {
    const payload = { recipient: 'anna@example.com', nested: { phone: '+4915112345678' }, list: ['Berlin'] };
    const message = describeFailure(
      new Error('cannot notify anna@example.com at +4915112345678 in Berlin'),
      payload,
    );
    expect(message).toBe('Error: cannot notify [redacted] at [redacted] in [redacted]');
  });

  it('does not redact very short values, which would mangle ordinary words', () => {
    expect(describeFailure(new Error('no route to DE'), { country: 'DE' })).toBe('Error: no route to DE');
  });

  it('redacts a longer value as a whole when it contains a shorter one', () => {
    expect(describeFailure(new Error('bad anna@example.com'), ['anna', 'anna@example.com'])).toBe(
      'Error: bad [redacted]',
    );
  });

  it('describes non-errors without their value unless it is a string', () => {
    expect(describeFailure({ secret: 'x' }, {})).toBe('non-error thrown: object');
    expect(describeFailure('boom', {})).toBe('non-error thrown: boom');
  });

  it('truncates long messages', () => {
    const message = describeFailure(new Error('x'.repeat(5_000)), {});
    expect(message).toHaveLength(MAX_ERROR_LENGTH);
    expect(message.endsWith('…')).toBe(true);
  });
});
